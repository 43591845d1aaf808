// One HTTP exchange over libcurl: a request with an in-memory body, a response body collected or
// streamed to a sink. No retries here; the S3 client decides what is worth another try.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/process.hpp"

namespace migsafe::remote {

// One request.
struct HttpRequest {
  std::string method;                                        // "GET", "PUT", "POST", "HEAD", ...
  std::string url;                                           // full, already encoded
  std::vector<std::pair<std::string, std::string>> headers;  // sent as given
  std::string_view body;                                     // PUT/POST body (may be empty)
  util::InputSource body_source;  // when set, the body is read from it instead (body_size bytes)
  unsigned long long body_size = 0;
  util::OutputSink on_body;  // 2xx bodies go here as they arrive; null: kept in HttpResponse::body
};

// The answer, or why there was none.
struct HttpResponse {
  long status = 0;                             // HTTP status; 0 when the exchange failed
  std::map<std::string, std::string> headers;  // names lowercased; the last value of each
  std::string body;                            // the body (error bodies always land here)
  std::string transport_error;                 // curl's words when status is 0 or cut short
  unsigned long long streamed = 0;             // bytes handed to on_body
};

// A reusable connection (keep-alive) to one endpoint; not shared between threads.
class HttpClient {
 public:
  HttpClient();
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends `request` and waits for the whole answer. Never throws for network or HTTP failures
  // (they are in the response); exceptions thrown by `on_body` propagate.
  HttpResponse perform(const HttpRequest& request);

 private:
  void* curl_;
};

}  // namespace migsafe::remote
