// `[[verify.assert]]` against a real server: values compared as PostgreSQL prints them, failures
// show the actual result, errors are located, and nothing an assertion does survives it.
#include <catch2/catch.hpp>

#include "checks/assertions.hpp"
#include "harness.hpp"

using migsafe::checks::AssertionResult;
using migsafe::checks::run_assertions;
using migsafe::config::Assertion;
using migsafe::config::ExpectedValue;
using migsafe::test::Project;
using Kind = ExpectedValue::Kind;

namespace {

Assertion check(const std::string& sql) {
  return Assertion{"check", sql, std::nullopt, {}};
}

Assertion expect(const std::string& sql, Kind kind, const std::string& value) {
  return Assertion{"expect " + value, sql, ExpectedValue{kind, value}, {}};
}

AssertionResult run_one(const Project& p, const Assertion& a) {
  auto session = p.session();
  auto results = run_assertions(*session, {a}, false);
  REQUIRE(results.size() == 1);
  return results.front();
}

void seed(const Project& p) {
  p.session()->exec(
      "create table public.items (id int primary key, price numeric, label text);"
      "insert into public.items values (1, 1.50, 'draft'), (2, 2, 'done'), (3, null, null)");
}

}  // namespace

TEST_CASE("an assertion without expect passes on true and fails on false, showing the value",
          "[assert]") {
  Project p("checks_assert_boolean");
  seed(p);
  CHECK(run_one(p, check("select count(*) = 3 from public.items")).passed);
  auto failed = run_one(p, check("select count(*) = 0 from public.items"));
  CHECK_FALSE(failed.passed);
  CHECK(failed.expected == "true");
  CHECK(failed.actual == "false");
  CHECK_FALSE(run_one(p, check("select 1")).passed);
}

TEST_CASE("expect compares numbers numerically, booleans by value and text exactly", "[assert]") {
  Project p("checks_assert_expect");
  seed(p);
  CHECK(run_one(p, expect("select count(*) from public.items", Kind::integer, "3")).passed);
  CHECK(
      run_one(p, expect("select price from public.items where id = 1", Kind::real, "1.5")).passed);
  CHECK(
      run_one(p, expect("select price from public.items where id = 2", Kind::integer, "2")).passed);
  CHECK(run_one(p, expect("select 2.0::float8", Kind::integer, "2")).passed);
  CHECK(run_one(p, expect("select exists (select 1 from public.items where id = 9)", Kind::boolean,
                          "false"))
            .passed);
  CHECK(run_one(p, expect("select label from public.items where id = 1", Kind::text, "draft"))
            .passed);
  auto wrong = run_one(p, expect("select count(*) from public.items", Kind::integer, "2"));
  CHECK_FALSE(wrong.passed);
  CHECK(wrong.expected == "2");
  CHECK(wrong.actual == "3");
  CHECK_FALSE(run_one(p, expect("select label from public.items where id = 1", Kind::text, "Draft"))
                  .passed);
  CHECK_FALSE(run_one(p, expect("select 'abc'", Kind::integer, "1")).passed);
}

TEST_CASE("an assertion must return exactly one row of one non-null value", "[assert]") {
  Project p("checks_assert_shape");
  seed(p);
  CHECK(run_one(p, check("select true from public.items")).actual == "3 rows");
  CHECK(run_one(p, check("select true where false")).actual == "no rows");
  CHECK(run_one(p, check("select null::boolean")).actual == "null");
  auto two = run_one(p, check("select true, 1"));
  CHECK_FALSE(two.passed);
  CHECK(two.actual == "a row of 2 columns: (t, 1)");
}

TEST_CASE("an SQL error fails the assertion with its SQLSTATE and position in the query",
          "[assert]") {
  Project p("checks_assert_error");
  auto r = run_one(p, check("select count(*) = 0\nfrom public.missing"));
  CHECK_FALSE(r.passed);
  REQUIRE(r.error);
  CHECK(r.error->sqlstate == "42P01");
  CHECK(r.error->line == 2);
  CHECK(r.error->column == 6);
  CHECK(r.to_json()["error"]["sqlstate"] == "42P01");
  CHECK(r.to_json()["status"] == "failed");
}

TEST_CASE("every assertion runs, and none leaves changes behind", "[assert]") {
  Project p("checks_assert_isolated");
  seed(p);
  auto session = p.session();
  auto results = run_assertions(
      *session,
      {check("select 1/0 = 1"),
       check("with d as (delete from public.items returning 1) select count(*) = 3 from d"),
       check("select count(*) = 3 from public.items")},
      false);
  REQUIRE(results.size() == 3);
  CHECK_FALSE(results[0].passed);
  CHECK(results[1].passed);
  CHECK(results[2].passed);
  CHECK_FALSE(session->in_transaction());
  CHECK(p.value("select count(*) from public.items") == "3");
}

TEST_CASE("inside a transaction assertions use savepoints and keep the transaction", "[assert]") {
  Project p("checks_assert_savepoint");
  seed(p);
  auto session = p.session();
  session->exec("begin; delete from public.items where id = 3");
  auto results =
      run_assertions(*session,
                     {check("select count(*) = 2 from public.items"), check("select 1/0 = 1"),
                      check("select count(*) = 2 from public.items")},
                     true);
  CHECK(results[0].passed);
  CHECK_FALSE(results[1].passed);
  CHECK(results[2].passed);
  REQUIRE(session->in_transaction());
  session->exec("rollback");
  CHECK(p.value("select count(*) from public.items") == "3");
}

TEST_CASE("an assertion may not commit or roll back the transaction it runs in", "[assert]") {
  Project p("checks_assert_no_commit");
  seed(p);
  auto session = p.session();
  session->exec("begin; delete from public.items");
  auto results = run_assertions(*session, {check("commit; select true")}, true);
  CHECK_FALSE(results[0].passed);
  REQUIRE(results[0].error);
  CHECK(results[0].error->message.find("transaction control") != std::string::npos);
  REQUIRE(session->in_transaction());
  session->exec("rollback");
  CHECK(p.value("select count(*) from public.items") == "3");
}
