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
