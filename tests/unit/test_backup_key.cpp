#include <catch2/catch.hpp>

#include "backup/key.hpp"
#include "core/error.hpp"

using namespace migsafe::backup;

TEST_CASE("a key is read as hex or base64, and known by an id that is not the key", "[backup]") {
  const std::string hex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
  EncryptionKey a = parse_key(" " + hex + "\n", "test");
  EncryptionKey b = parse_key("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", "test");
  CHECK(a.bytes.size() == 32);
  CHECK(a.bytes == b.bytes);
  CHECK(a.id.size() == 16);
  CHECK(hex.find(a.id) == std::string::npos);
  CHECK(encryption_json(a)["key_id"] == a.id);
}

TEST_CASE("a malformed key is a usage error that does not quote it", "[backup]") {
  try {
    parse_key("secret-but-short", "env X");
    FAIL("accepted");
  } catch (const migsafe::Error& e) {
    CHECK(e.code() == migsafe::Exit::usage);
    CHECK(std::string(e.what()).find("secret") == std::string::npos);
  }
  CHECK_THROWS(parse_key(std::string(63, 'a'), "x"));
}

TEST_CASE("key_for refuses a missing or different key for an encrypted backup", "[backup]") {
  EncryptionKey k = parse_key(std::string(64, 'a'), "k");
  EncryptionKey other = parse_key(std::string(64, 'b'), "o");
  CHECK(key_for(nullptr, std::nullopt, "id").empty());
  CHECK(key_for(encryption_json(k), k, "id") == k.bytes);
  CHECK_THROWS_WITH(key_for(encryption_json(k), other, "id"), Catch::Contains("wrong key"));
  CHECK_THROWS_AS(key_for(encryption_json(k), std::nullopt, "id"), migsafe::Error);
}
