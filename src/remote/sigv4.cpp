// SigV4 written against AWS's published description and proven by its test suite
// (tests/unit/test_remote_sigv4.cpp): every S3 request migsafe sends is signed here.
#include "remote/sigv4.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <ctime>
#include <map>
#include <stdexcept>

#include "util/sha256.hpp"

namespace migsafe::remote {
namespace {

std::string lower(std::string text) {
  for (char& c : text) c = char(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// Header values: surrounding spaces trimmed, runs of spaces (and folded lines) made one space.
std::string trim_value(const std::string& value) {
  std::string out;
  bool space = false;
  for (char c : value) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

// Lowercased names in order, each with its values joined by ','.
std::map<std::string, std::string> canonical_headers(const SignedRequest& r) {
  std::map<std::string, std::string> out;
  for (const auto& [name, value] : r.headers) {
    std::string& joined = out[lower(name)];
    joined += (joined.empty() ? "" : ",") + trim_value(value);
  }
  return out;
}

std::string signed_header_names(const SignedRequest& r) {
  std::string out;
  for (const auto& header : canonical_headers(r)) out += (out.empty() ? "" : ";") + header.first;
  return out;
}

std::string scope(const SignedRequest& r) {
  return r.amz_date.substr(0, 8) + "/" + r.region + "/" + r.service + "/aws4_request";
}

}  // namespace

std::string uri_encode(const std::string& text, bool keep_slash) {
  static const char* digits = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || (keep_slash && c == '/')) {
      out += char(c);
    } else {
      out += '%';
      out += digits[c >> 4];
      out += digits[c & 0xf];
    }
  }
  return out;
}

std::string encoded_path(const SignedRequest& r) {
  return r.path.empty() ? "/" : uri_encode(r.path, true);
}

std::string encoded_query(const SignedRequest& r) {
  std::vector<std::pair<std::string, std::string>> pairs;
  for (const auto& [name, value] : r.query)
    pairs.emplace_back(uri_encode(name, false), uri_encode(value, false));
  std::sort(pairs.begin(), pairs.end());
  std::string out;
  for (const auto& [name, value] : pairs) out += (out.empty() ? "" : "&") + name + "=" + value;
  return out;
}

std::string canonical_request(const SignedRequest& r) {
  std::string out = r.method + "\n" + encoded_path(r) + "\n" + encoded_query(r) + "\n";
  for (const auto& [name, value] : canonical_headers(r)) out += name + ":" + value + "\n";
  return out + "\n" + signed_header_names(r) + "\n" + r.payload_hash;
}

std::string string_to_sign(const SignedRequest& r) {
  return "AWS4-HMAC-SHA256\n" + r.amz_date + "\n" + scope(r) + "\n" +
         util::sha256_hex(canonical_request(r));
}

std::string hmac_sha256(const std::string& key, const std::string& data, bool hex) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (HMAC(EVP_sha256(), key.data(), int(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest,
           &length) == nullptr) {
    throw std::runtime_error("HMAC-SHA256 failed");
  }
  std::string raw(reinterpret_cast<const char*>(digest), length);
  if (!hex) return raw;
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : raw) {
    out += digits[c >> 4];
    out += digits[c & 0xf];
  }
  return out;
}

std::string signature(const SignedRequest& r, const std::string& secret_access_key) {
  std::string key = hmac_sha256("AWS4" + secret_access_key, r.amz_date.substr(0, 8));
  key = hmac_sha256(key, r.region);
  key = hmac_sha256(key, r.service);
  key = hmac_sha256(key, "aws4_request");
  return hmac_sha256(key, string_to_sign(r), true);
}

std::string authorization(const SignedRequest& r, const Credentials& c) {
  return "AWS4-HMAC-SHA256 Credential=" + c.access_key_id + "/" + scope(r) +
         ", SignedHeaders=" + signed_header_names(r) +
         ", Signature=" + signature(r, c.secret_access_key);
}

std::string amz_date(long long when) {
  std::time_t t = std::time_t(when);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y%m%dT%H%M%SZ", &tm);
  return buffer;
}

}  // namespace migsafe::remote
