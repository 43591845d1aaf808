// libcurl behind one small call, so the S3 client reads as requests and the retry policy.
#include "remote/http.hpp"

#include <curl/curl.h>

#include <cstring>
#include <exception>
#include <stdexcept>

namespace migsafe::remote {
namespace {

struct Exchange {
  const HttpRequest* request;
  HttpResponse* response;
  CURL* curl;
  size_t sent = 0;
  std::exception_ptr failure;  // thrown by on_body; rethrown after curl returns
};

size_t read_body(char* buffer, size_t size, size_t count, void* user) {
  auto* x = static_cast<Exchange*>(user);
  if (x->request->body_source) {
    try {
      return x->request->body_source(buffer, size * count);
    } catch (...) {
      x->failure = std::current_exception();
      return CURL_READFUNC_ABORT;
    }
  }
  size_t n = std::min(size * count, x->request->body.size() - x->sent);
  std::memcpy(buffer, x->request->body.data() + x->sent, n);
  x->sent += n;
  return n;
}

size_t write_body(char* data, size_t size, size_t count, void* user) {
  auto* x = static_cast<Exchange*>(user);
  size_t n = size * count;
  long status = 0;
  curl_easy_getinfo(x->curl, CURLINFO_RESPONSE_CODE, &status);
  if (!x->request->on_body || status < 200 || status >= 300) {
    x->response->body.append(data, n);
    return n;
  }
  try {
    x->request->on_body(std::string_view(data, n));
    x->response->streamed += n;
  } catch (...) {
    x->failure = std::current_exception();
    return 0;  // makes curl stop with CURLE_WRITE_ERROR
  }
  return n;
}

size_t write_header(char* data, size_t size, size_t count, void* user) {
  auto* x = static_cast<Exchange*>(user);
  std::string line(data, size * count);
  if (line.rfind("HTTP/", 0) == 0) x->response->headers.clear();  // a new response (100, redirect)
  size_t colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    for (char& c : name) c = char(std::tolower(static_cast<unsigned char>(c)));
    std::string value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.erase(0, 1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' '))
      value.pop_back();
    x->response->headers[name] = value;
  }
  return size * count;
}

// libcurl's process-wide state: set up before the first handle, torn down at exit (after every
// handle is gone), so leak checkers see libcurl's allocations returned.
struct CurlGlobal {
  CurlGlobal() { curl_global_init(CURL_GLOBAL_DEFAULT); }
  ~CurlGlobal() { curl_global_cleanup(); }
  CurlGlobal(const CurlGlobal&) = delete;
  CurlGlobal& operator=(const CurlGlobal&) = delete;
};

}  // namespace

HttpClient::HttpClient() {
  static CurlGlobal global;  // thread-safe first initialisation; destroyed at exit
  curl_ = curl_easy_init();
  if (curl_ == nullptr) throw std::runtime_error("cannot initialise libcurl");
}

HttpClient::~HttpClient() { curl_easy_cleanup(static_cast<CURL*>(curl_)); }

HttpResponse HttpClient::perform(const HttpRequest& request) {
  CURL* curl = static_cast<CURL*>(curl_);
  curl_easy_reset(curl);
  HttpResponse response;
  Exchange x{&request, &response, curl, 0, nullptr};
  curl_slist* headers = nullptr;
  for (const auto& [name, value] : request.headers)
    headers = curl_slist_append(headers, (name + ": " + value).c_str());
  headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip
  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
  // A connection that moves less than 1 byte/s for 60 s is dead (the server went away).
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, 60L);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, write_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &x);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, write_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &x);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "migsafe/" MIGSAFE_VERSION);
  if (request.method == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else if (request.method == "PUT" || request.method == "POST") {
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_body);
    curl_easy_setopt(curl, CURLOPT_READDATA, &x);
    curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE,
                     curl_off_t(request.body_source ? request.body_size : request.body.size()));
    if (request.method == "POST") curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, "POST");
  } else if (request.method != "GET") {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }
  CURLcode code = curl_easy_perform(curl);
  curl_slist_free_all(headers);
  if (x.failure) std::rethrow_exception(x.failure);
  if (code != CURLE_OK) {
    response.status = 0;
    response.transport_error = curl_easy_strerror(code);
  } else {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  }
  return response;
}

}  // namespace migsafe::remote
