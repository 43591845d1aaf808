#include <catch2/catch.hpp>

#include "checks/psql_state.hpp"
#include "checks/tap_parser.hpp"

using migsafe::checks::PsqlState;

namespace {

migsafe::pg::Rows rows(std::vector<std::string> columns, std::vector<std::vector<std::optional<std::string>>> data) {
  migsafe::pg::Rows r;
  r.columns = std::move(columns);
  r.rows = std::move(data);
  return r;
}

// What pg_prove would count from `text`.
migsafe::checks::TapSummary tap(const std::string& text) {
  migsafe::checks::TapParser parser;
  parser.add_text(text);
  return parser.finish();
}

}  // namespace

TEST_CASE("psql prints rows as pg_prove's psql does by default", "[psql]") {
  PsqlState state({});
  auto r = rows({"plan"}, {{std::string("1..2")}});
  CHECK(state.print(r) == "1..2\n");
  CHECK(state.print(rows({"a", "b"}, {{std::string("x"), std::nullopt}})) == "x|\n");
  CHECK(state.print(migsafe::pg::Rows{}) == "");
  CHECK(state.stop_on_error());
}

TEST_CASE("\\t, \\x, \\a and \\pset change what the TAP reader sees", "[psql]") {
  auto r = rows({"ok"}, {{std::string("ok 1 - a")}});
  PsqlState state({});
  REQUIRE(state.run("t", {}).error.empty());  // tuples_only off: header and footer
  CHECK(state.print(r) == "ok\nok 1 - a\n(1 row)\n");
  state.run("t", {"on"});
  state.run("a", {});  // aligned, border 1: every line starts with a space, none is TAP
  CHECK(state.print(r) == " ok 1 - a\n");
  CHECK(tap(state.print(r)).run == 0);
  state.run("pset", {"border", "0"});
  CHECK(tap(state.print(r)).run == 1);
  state.run("a", {});
  state.run("x", {});  // expanded unaligned: "column|value"
  CHECK(state.print(r) == "ok|ok 1 - a\n");
  state.run("x", {"off"});
  state.run("pset", {"fieldsep", ","});
  CHECK(state.print(rows({"a", "b"}, {{std::string("1"), std::string("2")}})) == "1,2\n");
  CHECK(state.run("pset", {"format", "csv"}).error.empty());
  CHECK(state.run("pset", {"nonsense"}).error == "\\pset: unknown option: nonsense");
}

TEST_CASE("\\set, \\unset and \\echo", "[psql]") {
  PsqlState state(migsafe::checks::PsqlVariables{{"DBNAME", "db"}});
  CHECK(state.run("set", {"a", "x", "y"}).error.empty());
  CHECK(state.variables().at("a") == "xy");
  CHECK(state.variables().at("DBNAME") == "db");
  state.run("unset", {"a"});
  CHECK(state.variables().count("a") == 0);
  CHECK(state.run("echo", {"1..1", "ok"}).output == "1..1 ok\n");
  CHECK(state.run("echo", {"-n", "x"}).output == "x");
  CHECK_FALSE(state.run("set", {"ON_ERROR_STOP", "maybe"}).error.empty());
  state.run("set", {"ON_ERROR_STOP", "off"});
  CHECK_FALSE(state.stop_on_error());
  CHECK_FALSE(state.run("timing", {}).known);
}
