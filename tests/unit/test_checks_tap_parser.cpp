// Tests for checks/tap_parser.cpp: TAP as pgTAP writes it, counted as pg_prove (TAP::Parser)
// counts.
#include <catch2/catch.hpp>
#include <string>

#include "checks/tap_parser.hpp"

using migsafe::checks::TapParser;
using migsafe::checks::TapSummary;

namespace {

TapSummary parse(const std::string& text) {
  TapParser parser;
  parser.add_text(text);
  return parser.finish();
}

}  // namespace

TEST_CASE("a plan met by passing tests is ok") {
  TapSummary s = parse("1..2\nok 1 - one\nok 2 - two");
  CHECK(s.planned == 2);
  CHECK(s.run == 2);
  CHECK(s.passed == 2);
  CHECK(s.failed == 0);
  CHECK(s.ok());
  CHECK(s.problems.empty());
}

TEST_CASE(
    "a not ok test fails with the diagnostics that follow it, without pgTAP's closing summary") {
  TapSummary s = parse(
      "1..3\nok 1 - fine\nnot ok 2 - arithmetic\n# Failed test 2: \"arithmetic\"\n#         have: "
      "2\n"
      "#         want: 3\nok 3\n# not attached\n# Looks like you failed 1 test of 3");
  CHECK(s.failed == 1);
  CHECK(s.passed == 2);
  REQUIRE(s.failures.size() == 1);
  CHECK(s.failures[0].number == 2);
  CHECK(s.failures[0].description == "arithmetic");
  CHECK(s.failures[0].diagnostics ==
        "Failed test 2: \"arithmetic\"\n        have: 2\n        want: 3");
  CHECK_FALSE(s.ok());
}

TEST_CASE("a failing TODO test passes; a passing one counts as TODO passed") {
  TapSummary s =
      parse("1..3\nnot ok 1 - later # TODO not built\nok 2 - lucky # todo not built\nok 3");
  CHECK(s.todo == 2);
  CHECK(s.todo_passed == 1);
  CHECK(s.passed == 3);
  CHECK(s.failed == 0);
  CHECK(s.failures.empty());
  CHECK(s.ok());
}

TEST_CASE("skipped tests count as passed and as skipped; a not ok SKIP still fails") {
  TapSummary s =
      parse("1..3\nok 1 # SKIP no network\nok 2 - # skip also\nnot ok 3 # SKIP but failed");
  CHECK(s.skipped == 3);
  CHECK(s.passed == 2);
  CHECK(s.failed == 1);
}

TEST_CASE("a directive needs the keyword right after the first unescaped #") {
  TapSummary s = parse(
      "1..3\nnot ok 1 - has \\# TODO escaped\nnot ok 2 - # SKIPPED is no skip\nnot ok 3 - a # b # "
      "TODO");
  CHECK(s.todo == 0);
  CHECK(s.skipped == 0);
  CHECK(s.failed == 3);
}

TEST_CASE("a short plan fails the stream although no test failed") {
  TapSummary s = parse("1..3\nok 1\nok 2\n# Looks like you planned 3 tests but ran 2");
  CHECK(s.planned == 3);
  CHECK(s.run == 2);
  CHECK(s.failed == 0);
  CHECK(s.problems == std::vector<std::string>{"planned 3 tests but ran 2"});
  CHECK_FALSE(s.ok());
}

TEST_CASE("tests beyond the plan are failures") {
  TapSummary s = parse("1..1\nok 1\nok 2 - extra");
  CHECK(s.failed == 1);
  CHECK(s.passed == 1);
  REQUIRE(s.failures.size() == 1);
  CHECK(s.failures[0].description == "extra (not planned)");
}

TEST_CASE("the plan may come last, as no_plan() and finish() write it") {
  TapSummary s = parse("ok 1 - a\nok 2 - b\n1..2");
  CHECK(s.planned == 2);
  CHECK(s.ok());
}

TEST_CASE("no plan at all fails") {
  TapSummary s = parse("ok 1\nok 2");
  CHECK(s.planned == -1);
  CHECK(s.problems == std::vector<std::string>{"no plan found in TAP output"});
  CHECK_FALSE(s.ok());
}

TEST_CASE("a plan in the middle and a second plan are parse problems") {
  CHECK(parse("ok 1\n1..2\nok 2").problems.front() ==
        "plan 1..2 must be at the beginning or end of the TAP output");
  CHECK(parse("1..1\nok 1\n1..1").problems.front() == "more than one plan found in TAP output");
}

TEST_CASE("out-of-sequence test numbers are a problem; missing numbers are positions") {
  CHECK(parse("1..2\nok 1\nok 3").problems.front() ==
        "tests out of sequence: found 3 but expected 2");
  TapSummary s = parse("1..2\nok\nnot ok - second");
  CHECK(s.problems.empty());
  REQUIRE(s.failures.size() == 1);
  CHECK(s.failures[0].number == 2);
}

TEST_CASE("1..0 skips everything and passes") {
  TapSummary s = parse("1..0 # SKIP no database");
  CHECK(s.planned == 0);
  CHECK(s.ok());
}

TEST_CASE("Bail out! fails the stream, keeps its reason, and later tests still count") {
  TapSummary s = parse("1..3\nok 1\nBail out! seed data missing\nok 2\nBail out! again");
  CHECK(s.bailed_out);
  CHECK(s.bail_out_reason == "seed data missing");
  CHECK(s.run == 2);
  CHECK_FALSE(s.ok());
}

TEST_CASE("lines that are not TAP are ignored") {
  TapSummary s = parse(
      "1..2\nthis row is not TAP\n  ok 5 - indented\nokay 3\n1..99 # not a plan\nok 1\n\nnot "
      "TAP|42\nok 2\n"
      "# a comment with no failure before it");
  CHECK(s.run == 2);
  CHECK(s.planned == 2);
  CHECK(s.ok());
}

TEST_CASE("a TAP version line is fine first and a problem later") {
  CHECK(parse("TAP version 13\n1..1\nok 1").ok());
  CHECK_FALSE(parse("1..1\nTAP version 13\nok 1").ok());
}

TEST_CASE("CRLF line ends are tolerated") {
  TapSummary s = parse("1..1\r\nnot ok 1 - x\r\n# why\r\n");
  REQUIRE(s.failures.size() == 1);
  CHECK(s.failures[0].description == "x");
  CHECK(s.failures[0].diagnostics == "why");
}

TEST_CASE("the summary's JSON has the report's fields") {
  auto j = parse("1..2\nok 1\nnot ok 2 - b\n# d").to_json();
  CHECK(j["planned"] == 2);
  CHECK(j["passed"] == 1);
  CHECK(j["failed"] == 1);
  CHECK(j["bail_out"].is_null());
  CHECK(j["failures"][0]["diagnostics"] == "d");
  CHECK(parse("ok 1").to_json()["planned"].is_null());
}
