#include <catch2/catch.hpp>

#include "util/duration.hpp"

using migsafe::util::format_duration;
using migsafe::util::parse_duration;
using std::chrono::milliseconds;

namespace {

// The parsed value in milliseconds, or -1 when `text` is refused.
long long ms(std::string_view text) {
  auto parsed = parse_duration(text);
  return parsed ? parsed->count() : -1;
}

}  // namespace

TEST_CASE("parse_duration reads PostgreSQL-style units", "[duration]") {
  CHECK(ms("250ms") == 250);
  CHECK(ms("5s") == 5'000);
  CHECK(ms("10min") == 600'000);
  CHECK(ms("1h") == 3'600'000);
  CHECK(ms("1d") == 86'400'000);
}

TEST_CASE("parse_duration reads m as minutes and long unit names", "[duration]") {
  CHECK(ms("2m") == 120'000);
  CHECK(ms("3 minutes") == 180'000);
  CHECK(ms("30 sec") == 30'000);
  CHECK(ms("2 hours") == 7'200'000);
  CHECK(ms("1 day") == 86'400'000);
}

TEST_CASE("parse_duration accepts fractions, spaces and a bare zero", "[duration]") {
  CHECK(ms("0") == 0);
  CHECK(ms("0s") == 0);
  CHECK(ms("1.5s") == 1'500);
  CHECK(ms("1.25min") == 75'000);
  CHECK(ms("10 min") == 600'000);
  CHECK(ms("  5s\t") == 5'000);
  CHECK(ms("007s") == 7'000);
}

TEST_CASE("parse_duration refuses what it cannot read exactly", "[duration]") {
  for (const char* text : {"", " ", "5", "1.5", "-5s", "+5s", "5 parsecs", "5S", "s", "1.s", ".5s",
                           "1e3s", "5s5", "5 s s", "1,5s", "0.5ms", "1.0001s"}) {
    INFO(text);
    CHECK_FALSE(parse_duration(text));
  }
}

TEST_CASE("parse_duration refuses values that overflow", "[duration]") {
  CHECK_FALSE(parse_duration("999999999999999999d"));
  CHECK_FALSE(parse_duration("1234567890123456789ms"));
  CHECK(ms("999999999999999999ms") == 999'999'999'999'999'999);
}

TEST_CASE("format_duration uses the largest exact unit", "[duration]") {
  CHECK(format_duration(milliseconds(0)) == "0");
  CHECK(format_duration(milliseconds(250)) == "250ms");
  CHECK(format_duration(milliseconds(1'500)) == "1500ms");
  CHECK(format_duration(milliseconds(5'000)) == "5s");
  CHECK(format_duration(milliseconds(90'000)) == "90s");
  CHECK(format_duration(milliseconds(600'000)) == "10min");
  CHECK(format_duration(milliseconds(7'200'000)) == "2h");
  CHECK(format_duration(milliseconds(86'400'000)) == "1d");
}

TEST_CASE("format_duration output parses back to the same value", "[duration]") {
  for (long long value : {0LL, 1LL, 999LL, 5'000LL, 61'000LL, 3'600'000LL, 2'147'483'647LL}) {
    INFO(value);
    CHECK(parse_duration(format_duration(milliseconds(value))) == milliseconds(value));
  }
}
