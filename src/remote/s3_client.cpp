// Requests, signing and the retry loop. What is retried: no answer at all (connection refused or
// reset, timeouts) and 5xx/429; what is not: every other 4xx (a wrong key stays wrong).
#include "remote/s3_client.hpp"

#include <openssl/evp.h>

#include <ctime>
#include <random>
#include <thread>

#include "core/error.hpp"
#include "remote/s3_xml.hpp"
#include "util/interrupt.hpp"
#include "util/sha256.hpp"

namespace migsafe::remote {

// One logical call, possibly sent more than once.
struct S3Client::Call {
  std::string what;                                          // "PUT", "UploadPart 3", ...
  std::string method;                                        // HTTP method
  std::string key;                                           // object key ("" : the bucket)
  std::vector<std::pair<std::string, std::string>> query;    // raw
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers, signed
  std::string_view body;                                     // request body
  const util::OutputSink* sink = nullptr;                    // streamed GET
  const std::function<util::InputSource()>* open_body = nullptr;  // streamed PUT body
  unsigned long long body_size = 0;                          // its size
  std::string body_sha256 = {};                              // its sha256 (hex), known beforehand
  bool missing_ok = false;                                   // 404 is an answer, not an error
};

namespace {

bool retryable(const HttpResponse& r) {
  return r.status == 0 || r.status >= 500 || r.status == 429;
}

std::string describe(const HttpResponse& r) {
  if (r.status == 0) return "no answer (" + r.transport_error + ")";
  std::string out = "HTTP " + std::to_string(r.status);
  std::string code = xml_value(r.body, "Code");
  std::string message = xml_value(r.body, "Message");
  if (!code.empty()) out += " " + code;
  if (!message.empty()) out += ": " + message;
  return out;
}

std::string unquote(std::string etag) {
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') etag = etag.substr(1, etag.size() - 2);
  return etag;
}

Metadata user_metadata(const std::map<std::string, std::string>& headers) {
  const std::string meta = "x-amz-meta-";
  Metadata out;
  for (const auto& [name, value] : headers)
    if (name.rfind(meta, 0) == 0) out[name.substr(meta.size())] = value;
  return out;
}

std::chrono::milliseconds backoff(const RetryPolicy& retry, int attempt) {
  static thread_local std::mt19937 random{std::random_device{}()};
  auto cap = std::min<long long>(retry.max_delay.count(), retry.base_delay.count() << attempt);
  // "Equal jitter": half fixed, half random, so retries of many clients spread out.
  std::uniform_int_distribution<long long> jitter(0, cap / 2);
  return std::chrono::milliseconds(cap / 2 + jitter(random));
}

void sleep_interruptibly(std::chrono::milliseconds delay) {
  auto end = std::chrono::steady_clock::now() + delay;
  while (std::chrono::steady_clock::now() < end) {
    throw_if_interrupted();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace

std::string to_hex(std::string_view raw) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : raw) {
    out += digits[c >> 4];
    out += digits[c & 0xf];
  }
  return out;
}

std::string md5_raw(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_md5(), nullptr);
  return std::string(reinterpret_cast<const char*>(digest), length);
}

Md5::Md5() : context_(EVP_MD_CTX_new()) {
  EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(context_), EVP_md5(), nullptr);
}

Md5::~Md5() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(context_)); }

void Md5::update(const void* data, size_t size) {
  EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(context_), data, size);
}

std::string Md5::raw() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(context_), digest, &length);
  return std::string(reinterpret_cast<const char*>(digest), length);
}

std::string multipart_etag(const std::vector<std::string>& part_md5s) {
  std::string all;
  for (const auto& md5 : part_md5s) all += md5;
  return to_hex(md5_raw(all)) + "-" + std::to_string(part_md5s.size());
}

S3Client::S3Client(S3Location location, Credentials credentials, RetryPolicy retry)
    : location_(std::move(location)),
      credentials_(std::move(credentials)),
      retry_(retry),
      http_(std::make_unique<HttpClient>()) {}

HttpResponse S3Client::attempt(const Call& call, unsigned long long resume_from) {
  SignedRequest s;
  s.method = call.method;
  s.path = location_.request_path(call.key);
  s.query = call.query;
  s.region = location_.region;
  s.service = "s3";
  s.amz_date = amz_date(std::time(nullptr));
  s.payload_hash = call.open_body ? call.body_sha256 : util::sha256_hex(call.body);
  s.headers = {{"host", location_.request_host()},
               {"x-amz-date", s.amz_date},
               {"x-amz-content-sha256", s.payload_hash}};
  if (!credentials_.session_token.empty())
    s.headers.emplace_back("x-amz-security-token", credentials_.session_token);
  for (const auto& h : call.headers) s.headers.push_back(h);
  if (resume_from > 0) s.headers.emplace_back("range", "bytes=" + std::to_string(resume_from) + "-");

  HttpRequest request;
  request.method = call.method;
  std::string query = encoded_query(s);
  request.url = location_.scheme + "://" + location_.request_host() + encoded_path(s) +
                (query.empty() ? "" : "?" + query);
  request.headers = s.headers;
  request.headers.emplace_back("Authorization", authorization(s, credentials_));
  request.body = call.body;
  if (call.open_body) {
    request.body_source = (*call.open_body)();
    request.body_size = call.body_size;
  }
  if (call.sink) request.on_body = *call.sink;
  return http_->perform(request);
}

HttpResponse S3Client::send(const Call& call) {
  unsigned long long delivered = 0;  // streamed GET: bytes already handed to the sink
  HttpResponse response;
  for (int attempt_no = 0;; ++attempt_no) {
    throw_if_interrupted();
    response = attempt(call, delivered);
    delivered += response.streamed;
    bool ok = response.status >= 200 && response.status < 300;
    if (ok && response.transport_error.empty()) return response;
    if (call.missing_ok && response.status == 404) return response;
    if (!retryable(response) || attempt_no + 1 >= retry_.attempts) break;
    sleep_interruptibly(backoff(retry_, attempt_no));
  }
  std::string where = location_.url_of(call.key);
  throw Error(Exit::refused, call.what + " " + where + " (bucket " + location_.bucket + ", key " +
                                 (call.key.empty() ? "-" : call.key) + ") failed: " +
                                 describe(response) +
                                 (retryable(response) ? " after " + std::to_string(retry_.attempts) +
                                                            " attempts"
                                                      : ""));
}

std::string S3Client::put_object(const std::string& key, std::string_view body,
                                 const Metadata& metadata) {
  Call call{"PUT", "PUT", key, {}, {}, body};
  for (const auto& [name, value] : metadata) call.headers.emplace_back("x-amz-meta-" + name, value);
  return unquote(send(call).headers["etag"]);
}

std::string S3Client::put_object_from(const std::string& key, unsigned long long size,
                                      const std::string& sha256_hex,
                                      const std::function<util::InputSource()>& open,
                                      const Metadata& metadata) {
  Call call{"PUT", "PUT", key, {}, {}, {}};
  call.open_body = &open;
  call.body_size = size;
  call.body_sha256 = sha256_hex;
  for (const auto& [name, value] : metadata) call.headers.emplace_back("x-amz-meta-" + name, value);
  return unquote(send(call).headers["etag"]);
}

std::string S3Client::create_multipart(const std::string& key, const Metadata& metadata) {
  Call call{"CreateMultipartUpload", "POST", key, {{"uploads", ""}}, {}, {}};
  for (const auto& [name, value] : metadata) call.headers.emplace_back("x-amz-meta-" + name, value);
  HttpResponse r = send(call);
  std::string id = xml_value(r.body, "UploadId");
  if (id.empty()) {
    throw Error(Exit::refused, "CreateMultipartUpload " + location_.url_of(key) +
                                   ": the answer has no UploadId");
  }
  return id;
}

std::string S3Client::upload_part(const std::string& key, const std::string& upload_id, int part,
                                  std::string_view body) {
  Call call{"UploadPart " + std::to_string(part), "PUT", key,
            {{"partNumber", std::to_string(part)}, {"uploadId", upload_id}}, {}, body};
  return unquote(send(call).headers["etag"]);
}

std::string S3Client::upload_part_copy(const std::string& key, const std::string& upload_id,
                                       int part, const std::string& source_key,
                                       unsigned long long first, unsigned long long last) {
  Call call{"UploadPartCopy " + std::to_string(part), "PUT", key,
            {{"partNumber", std::to_string(part)}, {"uploadId", upload_id}},
            {{"x-amz-copy-source", uri_encode("/" + location_.bucket + "/" + source_key, true)},
             {"x-amz-copy-source-range",
              "bytes=" + std::to_string(first) + "-" + std::to_string(last)}},
            {}};
  HttpResponse r = send(call);
  // Like CompleteMultipartUpload, a copy may answer 200 and put the error in the body.
  std::string etag = unquote(xml_value(r.body, "ETag"));
  if (etag.empty() || r.body.find("<Error") != std::string::npos) {
    throw Error(Exit::refused, call.what + " " + location_.url_of(key) + " (bucket " +
                                   location_.bucket + ", key " + key + ") failed: " +
                                   xml_value(r.body, "Code") + ": " + xml_value(r.body, "Message"));
  }
  return etag;
}

std::string S3Client::complete_multipart(const std::string& key, const std::string& upload_id,
                                         const std::vector<std::string>& etags) {
  std::string xml = "<CompleteMultipartUpload>";
  for (size_t i = 0; i < etags.size(); ++i) {
    xml += "<Part><PartNumber>" + std::to_string(i + 1) + "</PartNumber><ETag>\"" +
           xml_escape(etags[i]) + "\"</ETag></Part>";
  }
  xml += "</CompleteMultipartUpload>";
  Call call{"CompleteMultipartUpload", "POST", key, {{"uploadId", upload_id}},
            {{"content-type", "application/xml"}}, xml};
  HttpResponse r = send(call);
  // S3 may answer 200 and put the error in the body.
  std::string code = xml_value(r.body, "Code");
  if (!code.empty() || r.body.find("<Error") != std::string::npos) {
    throw Error(Exit::refused, "CompleteMultipartUpload " + location_.url_of(key) + " (bucket " +
                                   location_.bucket + ", key " + key + ") failed: " + code + ": " +
                                   xml_value(r.body, "Message"));
  }
  return unquote(xml_value(r.body, "ETag"));
}

void S3Client::abort_multipart(const std::string& key, const std::string& upload_id) noexcept {
  try {
    Call call{"AbortMultipartUpload", "DELETE", key, {{"uploadId", upload_id}}, {}, {}};
    call.missing_ok = true;
    RetryPolicy saved = retry_;
    retry_.attempts = std::min(retry_.attempts, 2);
    try {
      send(call);
    } catch (...) {
    }
    retry_ = saved;
  } catch (...) {
  }
}

std::optional<ObjectInfo> S3Client::head_object(const std::string& key) {
  Call call{"HEAD", "HEAD", key, {}, {}, {}};
  call.missing_ok = true;
  HttpResponse r = send(call);
  if (r.status == 404) return std::nullopt;
  ObjectInfo info;
  info.key = key;
  info.size = std::stoull(r.headers.count("content-length") ? r.headers["content-length"] : "0");
  info.etag = unquote(r.headers["etag"]);
  info.last_modified = r.headers["last-modified"];
  info.metadata = user_metadata(r.headers);
  return info;
}

Metadata S3Client::get_object(const std::string& key, const util::OutputSink& sink) {
  Call call{"GET", "GET", key, {}, {}, {}};
  call.sink = &sink;
  return user_metadata(send(call).headers);
}

std::string S3Client::get_object(const std::string& key, Metadata* metadata) {
  std::string out;
  util::OutputSink sink = [&](std::string_view chunk) { out.append(chunk); };
  Metadata m = get_object(key, sink);
  if (metadata) *metadata = std::move(m);
  return out;
}

std::vector<ObjectInfo> S3Client::list_objects(const std::string& prefix) {
  std::vector<ObjectInfo> out;
  std::string token;
  while (true) {
    Call call{"ListObjectsV2", "GET", "", {{"list-type", "2"}, {"prefix", prefix}}, {}, {}};
    if (!token.empty()) call.query.emplace_back("continuation-token", token);
    HttpResponse r = send(call);
    for (const auto& block : xml_blocks(r.body, "Contents")) {
      ObjectInfo info;
      info.key = xml_value(block, "Key");
      std::string size = xml_value(block, "Size");
      info.size = size.empty() ? 0 : std::stoull(size);
      info.etag = unquote(xml_value(block, "ETag"));
      info.last_modified = xml_value(block, "LastModified");
      out.push_back(info);
    }
    token = xml_value(r.body, "NextContinuationToken");
    if (xml_value(r.body, "IsTruncated") != "true" || token.empty()) break;
  }
  return out;
}

void S3Client::probe(const std::string& prefix) {
  send(Call{"ListObjectsV2", "GET", "", {{"list-type", "2"}, {"max-keys", "1"}, {"prefix", prefix}},
            {}, {}});
}

void S3Client::delete_object(const std::string& key) {
  Call call{"DELETE", "DELETE", key, {}, {}, {}};
  call.missing_ok = true;
  send(call);
}

}  // namespace migsafe::remote
