// Tests for checks/row_loss_guard.cpp: which row-count drops and dropped tables fail a run.
#include <catch2/catch.hpp>
#include <map>
#include <string>

#include "checks/row_loss_guard.hpp"

using migsafe::checks::check_row_loss;
using migsafe::config::Verify;

namespace {
using Counts = std::map<std::string, long long>;
}  // namespace

TEST_CASE("by default any lost row is a violation naming the table and the counts") {
  auto r = check_row_loss({{"public.todos", 10}}, {{"public.todos", 9}}, Verify{});
  REQUIRE(r.violations.size() == 1);
  CHECK(r.violations[0].table == "public.todos");
  CHECK(r.violations[0].before == 10);
  CHECK(r.violations[0].after == 9);
  CHECK(r.violations[0].loss_pct == Approx(10));
  CHECK(r.violations[0].describe() ==
        "public.todos: 10 rows before, 9 after (10% lost, at most 0% allowed)");
  CHECK_FALSE(r.passed());
}

TEST_CASE("growth, equal counts and empty tables lose nothing") {
  CHECK(check_row_loss({{"public.a", 5}, {"public.b", 0}}, {{"public.a", 7}, {"public.b", 0}},
                       Verify{})
            .passed());
  CHECK(check_row_loss({{"public.a", 5}}, {{"public.a", 5}, {"public.new", 0}}, Verify{}).passed());
}

TEST_CASE("a loss up to max_row_loss_pct passes, beyond it fails") {
  Verify v;
  v.max_row_loss_pct = 25;
  CHECK(check_row_loss({{"public.a", 4}}, {{"public.a", 3}}, v).passed());
  auto r = check_row_loss({{"public.a", 4}}, {{"public.a", 2}}, v);
  REQUIRE(r.violations.size() == 1);
  CHECK(r.violations[0].allowed_pct == 25);
}

TEST_CASE("a per-table limit overrides, by schema.table or by bare name") {
  Verify v;
  v.max_row_loss_pct_per_table = {{"public.logs", 100}, {"sessions", 50}};
  Counts before{{"public.logs", 10}, {"auth.sessions", 10}, {"public.todos", 10}};
  Counts after{{"public.logs", 0}, {"auth.sessions", 5}, {"public.todos", 9}};
  auto r = check_row_loss(before, after, v);
  REQUIRE(r.violations.size() == 1);
  CHECK(r.violations[0].table == "public.todos");
}

TEST_CASE("a dropped table is a full loss unless allowed, even when it was empty") {
  Verify v;
  auto r = check_row_loss({{"public.old", 0}, {"public.todos", 3}}, {}, v);
  REQUIRE(r.violations.size() == 2);
  CHECK(r.violations[1].dropped);
  CHECK(r.violations[1].loss_pct == 100);
  CHECK(r.violations[1].describe() ==
        "public.todos was dropped (3 rows before; not in allow_dropped_tables)");
  v.allow_dropped_tables = {"public.old", "todos"};
  CHECK(check_row_loss({{"public.old", 0}, {"public.todos", 3}}, {}, v).passed());
}

TEST_CASE("a schema-qualified allowance does not cover another schema's table") {
  Verify v;
  v.allow_dropped_tables = {"archive.todos"};
  CHECK_FALSE(check_row_loss({{"public.todos", 3}}, {}, v).passed());
}

TEST_CASE("the result's JSON lists violations with a message, after null for dropped tables") {
  auto j = check_row_loss({{"public.todos", 3}}, {}, Verify{}).to_json();
  CHECK(j["passed"] == false);
  CHECK(j["violations"][0]["after"].is_null());
  CHECK(j["violations"][0]["dropped"] == true);
  CHECK(j["violations"][0]["message"].get<std::string>().find("dropped") != std::string::npos);
}
