#include <catch2/catch.hpp>
#include <string>

#include "util/aes_gcm_stream.hpp"

using namespace migsafe::util;

namespace {

const std::string kKey(32, 'k');

std::string encrypt(const std::string& plain, size_t chunk, const std::string& key = kKey) {
  std::string out;
  AesGcmEncryptor e(
      key, [&](std::string_view c) { out.append(c); }, chunk);
  for (size_t at = 0; at < plain.size(); at += 7) e.write(std::string_view(plain).substr(at, 7));
  e.finish();
  return out;
}

std::string decrypt(const std::string& sealed, const std::string& key = kKey) {
  size_t pos = 0;
  InputSource raw = [&](char* buffer, size_t capacity) {
    size_t n = std::min(capacity, sealed.size() - pos);
    sealed.copy(buffer, n, pos);
    pos += n;
    return n;
  };
  InputSource plain = aes_gcm_decrypting_source(raw, key);
  std::string out;
  char buffer[5];
  while (size_t n = plain(buffer, sizeof buffer)) out.append(buffer, n);
  return out;
}

std::string sample(size_t size) {
  std::string s;
  for (size_t i = 0; i < size; ++i) s += char('a' + i % 23);
  return s;
}

}  // namespace

TEST_CASE("aes-gcm round-trips any length, including empty and exact chunk multiples", "[util]") {
  for (size_t size : {0, 1, 15, 16, 17, 32, 33, 100}) {
    std::string plain = sample(size);
    std::string sealed = encrypt(plain, 16);
    size_t chunks = size == 0 ? 1 : (size + 15) / 16;
    CHECK(sealed.size() == kAesGcmHeaderSize + size + chunks * kAesGcmTagSize);
    CHECK(decrypt(sealed) == plain);
  }
}

TEST_CASE("aes-gcm refuses a wrong key", "[util]") {
  std::string sealed = encrypt(sample(40), 16);
  CHECK_THROWS_WITH(decrypt(sealed, std::string(32, 'x')),
                    Catch::Contains("chunk 0 failed authentication"));
}

TEST_CASE("aes-gcm detects a flipped byte anywhere", "[util]") {
  std::string sealed = encrypt(sample(40), 16);
  for (size_t at = 0; at < sealed.size(); ++at) {
    std::string bad = sealed;
    bad[at] ^= 0x01;
    CHECK_THROWS(decrypt(bad));
  }
}

TEST_CASE("aes-gcm detects truncation, also at a chunk boundary", "[util]") {
  std::string sealed = encrypt(sample(48), 16);
  for (size_t keep = 0; keep < sealed.size(); ++keep) CHECK_THROWS(decrypt(sealed.substr(0, keep)));
}

TEST_CASE("aes-gcm detects swapped chunks", "[util]") {
  std::string sealed = encrypt(sample(48), 16);
  const size_t c = 16 + kAesGcmTagSize, h = kAesGcmHeaderSize;
  std::string swapped = sealed.substr(0, h) + sealed.substr(h + c, c) + sealed.substr(h, c) +
                        sealed.substr(h + 2 * c);
  CHECK_THROWS_WITH(decrypt(swapped), Catch::Contains("chunk 0"));
}

TEST_CASE("aes-gcm refuses a file that is not encrypted", "[util]") {
  CHECK_THROWS_WITH(decrypt("PGDMP plain archive bytes"), Catch::Contains("not a migsafe"));
}
