// AWS Signature Version 4 (HMAC-SHA256): the canonical request, the string to sign and the
// Authorization header, as the S3 API and every S3-compatible service check them.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace migsafe::remote {

// The keys a request is signed with. `secret_access_key` and `session_token` are secrets: never
// printed, never in an error message.
struct Credentials {
  std::string access_key_id;      // e.g. AKIA...; not secret
  std::string secret_access_key;  // the signing secret
  std::string session_token;      // temporary credentials' token, or empty
};

// What is signed: one HTTP request. Path and query are raw (not percent-encoded); the signer
// encodes them as SigV4 wants, and `encoded_path`/`encoded_query` give the same encoding for the URL.
struct SignedRequest {
  std::string method;                                        // "GET", "PUT", ...
  std::string path = "/";                                    // raw, e.g. "/bucket/a b.json"
  std::vector<std::pair<std::string, std::string>> query;    // raw names and values
  std::vector<std::pair<std::string, std::string>> headers;  // every header to sign, Host included
  std::string payload_hash;     // lowercase hex sha256 of the body, or "UNSIGNED-PAYLOAD"
  std::string amz_date;         // "20150830T123600Z": the X-Amz-Date header's value
  std::string region = "us-east-1";  // the signing region
  std::string service = "s3";        // the signing service
};

// RFC 3986 percent-encoding as SigV4 wants it: unreserved characters (A-Z a-z 0-9 - _ . ~) kept,
// every other byte as %XX (uppercase); '/' kept too when `keep_slash`.
std::string uri_encode(const std::string& text, bool keep_slash);

// The request's path as it goes into the URL and the canonical request (each segment encoded once,
// as S3 wants; no normalisation).
std::string encoded_path(const SignedRequest& request);

// The canonical query string: encoded name=value pairs sorted by name, then value, joined by '&'.
std::string encoded_query(const SignedRequest& request);

// The canonical request (method, path, query, headers, signed header names, payload hash).
std::string canonical_request(const SignedRequest& request);

// "AWS4-HMAC-SHA256\n<date>\n<scope>\n<hex sha256 of the canonical request>".
std::string string_to_sign(const SignedRequest& request);

// The hex signature of `request` with `secret_access_key`.
std::string signature(const SignedRequest& request, const std::string& secret_access_key);

// The Authorization header's value: "AWS4-HMAC-SHA256 Credential=<id>/<scope>, SignedHeaders=...,
// Signature=...".
std::string authorization(const SignedRequest& request, const Credentials& credentials);

// `when` (seconds since the epoch) as an X-Amz-Date value, "YYYYMMDDTHHMMSSZ".
std::string amz_date(long long when);

// Lowercase hex HMAC-SHA256 of `data` with `key` (raw bytes out when `hex` is false).
std::string hmac_sha256(const std::string& key, const std::string& data, bool hex = false);

}  // namespace migsafe::remote
