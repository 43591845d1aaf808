// Streaming SHA-256 over OpenSSL's EVP interface.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace migsafe::util {

// Hashes bytes fed in any number of pieces; `hex()` finishes and returns the lowercase digest.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;

  // Adds `size` bytes at `data` to the hash.
  void update(const void* data, size_t size);
  void update(std::string_view bytes) { update(bytes.data(), bytes.size()); }
  // Finishes the hash and returns it as 64 lowercase hex digits; the object is then spent.
  std::string hex();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// The SHA-256 of `bytes` as lowercase hex.
std::string sha256_hex(std::string_view bytes);

}  // namespace migsafe::util
