#include <catch2/catch.hpp>

#include "util/utf8.hpp"

using migsafe::util::first_invalid_utf8;

TEST_CASE("first_invalid_utf8 accepts well-formed text", "[utf8]") {
  CHECK_FALSE(first_invalid_utf8("plain ascii"));
  CHECK_FALSE(first_invalid_utf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));
  CHECK_FALSE(first_invalid_utf8(""));
}

TEST_CASE("first_invalid_utf8 finds the first ill-formed byte", "[utf8]") {
  CHECK(first_invalid_utf8("ab\xff") == 2u);
  CHECK(first_invalid_utf8("a\xc3") == 1u);               // truncated sequence
  CHECK(first_invalid_utf8("\xc0\xaf") == 0u);            // overlong '/'
  CHECK(first_invalid_utf8("x\xed\xa0\x80") == 1u);       // UTF-16 surrogate
  CHECK(first_invalid_utf8("\xf4\x90\x80\x80") == 0u);    // above U+10FFFF
  CHECK(first_invalid_utf8("\xe2\x82") == 0u);
}

using migsafe::util::to_valid_utf8;
using migsafe::util::truncate_bytes;
using migsafe::util::truncate_chars;

TEST_CASE("to_valid_utf8 replaces each maximal ill-formed subpart with U+FFFD", "[utf8]") {
  size_t replaced = 99;
  CHECK(to_valid_utf8("caf\xc3\xa9", &replaced) == "caf\xc3\xa9");
  CHECK(replaced == 0);
  CHECK(to_valid_utf8("a\xff" "b", &replaced) == "a\xef\xbf\xbd" "b");
  CHECK(replaced == 1);
  // A cut 3-byte sequence is one replacement; a stray continuation byte is another.
  CHECK(to_valid_utf8("\xe2\x94\x80\xe2\x94", &replaced) == "\xe2\x94\x80\xef\xbf\xbd");
  CHECK(replaced == 1);
  CHECK(to_valid_utf8("\x80\x80", &replaced) == "\xef\xbf\xbd\xef\xbf\xbd");
  CHECK(replaced == 2);
  CHECK_FALSE(first_invalid_utf8(to_valid_utf8("\xc0\xaf\xed\xa0\x80\xf4\x90\x80\x80\xfe")));
}

TEST_CASE("truncate_chars never cuts inside a character, whatever the byte boundary", "[utf8]") {
  const std::string emoji = "\xf0\x9f\x98\x80";  // 4 bytes
  const std::string box = "\xe2\x94\x80";        // 3 bytes
  for (size_t prefix = 0; prefix < 4; ++prefix) {
    std::string text = std::string(prefix, 'x');
    for (int i = 0; i < 60; ++i) text += (i % 2 ? emoji : box) + "\xc3\xa9";
    for (size_t n = 0; n < 80; ++n) {
      std::string cut = truncate_chars(text, n);
      CHECK_FALSE(first_invalid_utf8(cut));
      CHECK(text.compare(0, cut.size(), cut) == 0);
      CHECK(truncate_chars(cut, 1000) == cut);
    }
    for (size_t bytes = 0; bytes < 40; ++bytes) {
      auto cut = truncate_bytes(text, bytes);
      CHECK(cut.size() <= bytes);
      CHECK(cut.size() + 4 > bytes);
      CHECK_FALSE(first_invalid_utf8(cut));
    }
  }
  CHECK(truncate_chars("\xe2\x94\x80\xe2\x94\x80 ok", 2) == "\xe2\x94\x80\xe2\x94\x80");
  CHECK(truncate_chars("ab", 5) == "ab");
  CHECK(truncate_chars("a\xff" "bc", 2) == "a\xff");  // an ill-formed byte counts as one
}
