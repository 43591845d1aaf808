// Turning `[backup.remote]`'s url/endpoint/region into request hosts and paths; kept apart from
// the client so it is tested without a network.
#include "remote/s3_location.hpp"

#include <stdexcept>

namespace migsafe::remote {
namespace {

bool valid_bucket(const std::string& bucket) {
  if (bucket.size() < 3 || bucket.size() > 63) return false;
  for (char c : bucket) {
    if (!(std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) ||
          c == '-' || c == '.'))
      return false;
  }
  return true;
}

}  // namespace

std::string S3Location::url() const { return "s3://" + bucket + "/" + prefix; }

std::string S3Location::url_of(const std::string& key) const { return "s3://" + bucket + "/" + key; }

std::string S3Location::request_host() const { return path_style ? host : bucket + "." + host; }

std::string S3Location::request_path(const std::string& key) const {
  if (key.empty()) return path_style ? "/" + bucket : "/";
  return path_style ? "/" + bucket + "/" + key : "/" + key;
}

S3Location parse_location(const std::string& url, const std::string& endpoint,
                          const std::string& region, bool force_path_style) {
  const std::string scheme = "s3://";
  if (url.rfind(scheme, 0) != 0)
    throw std::invalid_argument("url \"" + url + "\" must start with s3:// (s3://bucket/prefix)");
  S3Location out;
  std::string rest = url.substr(scheme.size());
  size_t slash = rest.find('/');
  out.bucket = rest.substr(0, slash);
  if (!valid_bucket(out.bucket)) {
    throw std::invalid_argument("url \"" + url + "\": \"" + out.bucket +
                                "\" is not a bucket name (3 to 63 of a-z 0-9 . -)");
  }
  if (slash != std::string::npos) out.prefix = rest.substr(slash + 1);
  while (!out.prefix.empty() && out.prefix.front() == '/') out.prefix.erase(0, 1);
  if (!out.prefix.empty() && out.prefix.back() != '/') out.prefix += '/';
  if (out.prefix.find("//") != std::string::npos)
    throw std::invalid_argument("url \"" + url + "\": empty path segment in the prefix");
  out.region = region.empty() ? "us-east-1" : region;
  std::string ep = endpoint.empty() ? "https://s3." + out.region + ".amazonaws.com" : endpoint;
  size_t colon = ep.find("://");
  if (colon == std::string::npos)
    throw std::invalid_argument("endpoint \"" + ep + "\" must start with https:// or http://");
  out.scheme = ep.substr(0, colon);
  if (out.scheme != "https" && out.scheme != "http")
    throw std::invalid_argument("endpoint \"" + ep + "\" must start with https:// or http://");
  out.host = ep.substr(colon + 3);
  while (!out.host.empty() && out.host.back() == '/') out.host.pop_back();
  if (out.host.empty() || out.host.find('/') != std::string::npos)
    throw std::invalid_argument("endpoint \"" + ep + "\" must be scheme://host[:port] with no path");
  // A bucket with dots cannot be a TLS host name's label: address it by path.
  out.path_style = force_path_style || out.bucket.find('.') != std::string::npos;
  return out;
}

}  // namespace migsafe::remote
