// Where a pipeline's remote backups live: `s3://bucket/prefix` on an endpoint, and how a key there
// becomes a URL (path-style or virtual-hosted).
#pragma once

#include <string>

namespace migsafe::remote {

// A bucket and key prefix on an S3-compatible endpoint.
struct S3Location {
  std::string bucket;      // e.g. "acme-backups"
  std::string prefix;      // "" or ending in '/', e.g. "prod/db/"
  std::string scheme;      // "https" or "http"
  std::string host;        // endpoint host[:port], e.g. "s3.eu-west-1.amazonaws.com"
  std::string region;      // signing region, e.g. "eu-west-1"
  bool path_style = false;  // true: https://host/bucket/key; false: https://bucket.host/key

  // `s3://bucket/prefix` (for messages).
  std::string url() const;
  // `s3://bucket/key` (for messages).
  std::string url_of(const std::string& key) const;
  // The key of the object named `name` under the prefix.
  std::string key(const std::string& name) const { return prefix + name; }
  // The Host header's value.
  std::string request_host() const;
  // The raw (unencoded) request path of `key` ("" : the bucket itself).
  std::string request_path(const std::string& key) const;
};

// Parses `url` ("s3://bucket" or "s3://bucket/some/prefix") with `endpoint` ("https://host[:port]";
// empty: AWS's endpoint for `region`), `region` (empty: "us-east-1") and `force_path_style`.
// Throws std::invalid_argument saying what is wrong.
S3Location parse_location(const std::string& url, const std::string& endpoint,
                          const std::string& region, bool force_path_style);

}  // namespace migsafe::remote
