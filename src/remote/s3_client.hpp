// A small S3 client: the object calls migsafe's remote store needs, each signed with SigV4,
// retried with jittered backoff on 5xx and broken connections, and failing with a message that
// names the bucket, the key and the service's error code.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "remote/http.hpp"
#include "remote/s3_location.hpp"
#include "remote/sigv4.hpp"
#include "util/process.hpp"

namespace migsafe::remote {

// User metadata (`x-amz-meta-<name>`), names lowercase.
using Metadata = std::map<std::string, std::string>;

// What HEAD or LIST says about an object.
struct ObjectInfo {
  std::string key;            // full key
  unsigned long long size = 0;  // bytes
  std::string etag;           // without quotes
  std::string last_modified;  // as the service wrote it
  Metadata metadata;          // HEAD only
};

// How hard to try before giving up on a request.
struct RetryPolicy {
  int attempts = 5;                               // tries in all, >= 1
  std::chrono::milliseconds base_delay{200};      // first backoff; doubles each time
  std::chrono::milliseconds max_delay{5000};      // backoff cap
};

// The S3 calls, on one bucket and endpoint. Not shared between threads. Every failure is
// Error(Exit::refused) naming the operation, s3://bucket/key, the HTTP status and the service's
// `<Code>` and `<Message>`; secrets never appear in it.
class S3Client {
 public:
  S3Client(S3Location location, Credentials credentials, RetryPolicy retry = {});

  // The location this client talks to.
  const S3Location& location() const { return location_; }
  // Another client with the same location, credentials and retries (a client is not shared
  // between threads).
  std::unique_ptr<S3Client> clone() const {
    return std::make_unique<S3Client>(location_, credentials_, retry_);
  }

  // PUT Object with `body` and `metadata`; returns the ETag.
  std::string put_object(const std::string& key, std::string_view body,
                         const Metadata& metadata = {});
  // PUT Object of `size` bytes read from a source `open` makes (once per attempt, so it must start
  // from the first byte each time), whose sha256 is already known (`sha256_hex`, signed: the
  // service refuses bytes that hash otherwise). Memory stays at libcurl's buffer. Returns the ETag.
  std::string put_object_from(const std::string& key, unsigned long long size,
                              const std::string& sha256_hex,
                              const std::function<util::InputSource()>& open,
                              const Metadata& metadata = {});
  // CreateMultipartUpload; returns the upload id.
  std::string create_multipart(const std::string& key, const Metadata& metadata = {});
  // UploadPart number `part` (1-based); returns its ETag.
  std::string upload_part(const std::string& key, const std::string& upload_id, int part,
                          std::string_view body);
  // CompleteMultipartUpload with the parts' ETags in order; returns the object's ETag.
  std::string complete_multipart(const std::string& key, const std::string& upload_id,
                                 const std::vector<std::string>& etags);
  // AbortMultipartUpload; never throws (best effort: the caller is already failing).
  void abort_multipart(const std::string& key, const std::string& upload_id) noexcept;
  // HEAD Object; nullopt when there is no such object.
  std::optional<ObjectInfo> head_object(const std::string& key);
  // UploadPartCopy: part `part` of upload `upload_id` is bytes `first`..`last` (inclusive) of the
  // existing object `source_key` (same bucket), copied by the service; returns the part's ETag.
  std::string upload_part_copy(const std::string& key, const std::string& upload_id, int part,
                               const std::string& source_key, unsigned long long first,
                               unsigned long long last);
  // GET Object, streamed to `sink` (a broken transfer resumes where it stopped); returns the
  // object's user metadata.
  Metadata get_object(const std::string& key, const util::OutputSink& sink);
  // GET Object into memory (small objects: manifests); `metadata`, when given, receives its user
  // metadata.
  std::string get_object(const std::string& key, Metadata* metadata = nullptr);
  // ListObjectsV2 of every key starting with `prefix`, all pages, in key order.
  std::vector<ObjectInfo> list_objects(const std::string& prefix);
  // Lists at most one key under `prefix`: proves the bucket exists and the credentials are good
  // before anything long starts.
  void probe(const std::string& prefix);
  // DELETE Object (a missing object is no error).
  void delete_object(const std::string& key);

 private:
  struct Call;
  HttpResponse send(const Call& call);
  HttpResponse attempt(const Call& call, unsigned long long resume_from);

  S3Location location_;
  Credentials credentials_;
  RetryPolicy retry_;
  std::unique_ptr<HttpClient> http_;
};

// The ETag S3 gives an object uploaded in parts whose MD5s (raw 16 bytes each) are `part_md5s`:
// hex md5 of their concatenation, "-", the number of parts.
std::string multipart_etag(const std::vector<std::string>& part_md5s);

// The raw MD5 of `bytes` (16 bytes).
std::string md5_raw(std::string_view bytes);

// MD5 fed in pieces (the ETag of a single PUT), raw 16 bytes from `raw()`.
class Md5 {
 public:
  Md5();
  ~Md5();
  Md5(const Md5&) = delete;
  Md5& operator=(const Md5&) = delete;
  void update(const void* data, size_t size);
  std::string raw();  // finishes; the object is then spent

 private:
  void* context_;
};

// Lowercase hex of raw bytes.
std::string to_hex(std::string_view raw);

}  // namespace migsafe::remote
