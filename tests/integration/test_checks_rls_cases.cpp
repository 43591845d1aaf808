// RLS cases and default_deny against a real server with the Supabase emulation: queries run as
// anon/authenticated with JWT claims, and nothing they do survives.
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "checks/rls_cases.hpp"
#include "harness.hpp"

using migsafe::checks::CaseResult;
using migsafe::config::ExpectedValue;
using migsafe::config::RlsCase;
using migsafe::test::Project;

namespace {

const char* kUserA = R"({"sub":"00000000-0000-0000-0000-000000000001"})";
const char* kUserB = R"({"sub":"00000000-0000-0000-0000-000000000002"})";

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(MIGSAFE_SOURCE_DIR) + "/tests/fixtures/rls/" + name);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

RlsCase make_case(const std::string& name, const std::string& role,
                  std::optional<std::string> claims, const std::string& sql) {
  RlsCase c;
  c.name = name;
  c.role = role;
  c.claims_json = std::move(claims);
  c.sql = sql;
  return c;
}

RlsCase expecting(RlsCase c, ExpectedValue::Kind kind, const std::string& text) {
  c.expect = ExpectedValue{kind, text};
  return c;
}

RlsCase expecting_rows(RlsCase c, std::int64_t rows) {
  c.expect_rows = rows;
  return c;
}

RlsCase expecting_error(RlsCase c, const std::string& error) {
  c.expect_error = error;
  return c;
}

std::string describe(const std::vector<CaseResult>& results) {
  std::string out;
  for (const auto& r : results) out += r.to_json().dump() + "\n";
  return out;
}

// Everything a check could leave behind: rows, the role, claims settings.
std::string state(migsafe::pg::Session& session) {
  return session
      .query(
          "select (select count(*) from public.todos) || '/' || (select count(*) from "
          "public.notes) || '/' || "
          "(select count(*) from public.open_notes) || '/' || current_user || '/' || "
          "coalesce(current_setting('request.jwt.claims', true), '')")
      .scalar()
      .value_or("");
}

std::vector<RlsCase> todo_cases() {
  using Kind = ExpectedValue::Kind;
  return {
      expecting(make_case("a user sees only their own todos", "authenticated", kUserA,
                          "select count(*) from public.todos"),
                Kind::integer, "2"),
      expecting_rows(
          make_case("anon sees no todos", "anon", std::nullopt, "select * from public.todos"), 0),
      expecting_error(
          make_case("a user cannot add a todo for someone else", "authenticated", kUserA,
                    "insert into public.todos (user_id, title) values "
                    "('00000000-0000-0000-0000-000000000002', 'x')"),
          "42501"),
      expecting_error(
          make_case(
              "the RLS message matches too", "authenticated", kUserA,
              "insert into public.todos (user_id) values ('00000000-0000-0000-0000-000000000002')"),
          "new row violates row-level security policy"),
      expecting(make_case("a user cannot read another user's notes", "authenticated", kUserA,
                          "select count(*) from public.notes"),
                Kind::integer, "0"),
  };
}

}  // namespace

TEST_CASE("RLS cases: own rows only, anon sees none, cross-user insert fails, policy bug caught",
          "[rls]") {
  Project p("rls_cases_todos");
  auto session = p.session();
  session->exec(fixture("todos.sql"));
  const std::string before = state(*session);
  auto results = migsafe::checks::run_rls_cases(*session, todo_cases(), false);
  INFO(describe(results));
  REQUIRE(results.size() == 5);
  CHECK(results[0].passed);
  CHECK(results[0].actual == "2");
  CHECK(results[1].passed);
  CHECK(results[2].passed);
  CHECK(results[2].error_sqlstate == "42501");
  CHECK(results[3].passed);
  CHECK_FALSE(results[4].passed);  // notes' USING (true) shows user B's note to user A
  CHECK(results[4].expected == "0");
  CHECK(results[4].actual == "1");
  CHECK(state(*session) == before);
  CHECK_FALSE(session->in_transaction());
}

TEST_CASE("RLS cases inside the run's transaction use savepoints and leave it open", "[rls]") {
  Project p("rls_cases_savepoints");
  auto session = p.session();
  session->exec(fixture("todos.sql"));
  const std::string before = state(*session);
  session->exec("BEGIN");
  session->exec(
      "insert into public.todos (user_id) values ('00000000-0000-0000-0000-000000000001')");
  auto cases = todo_cases();
  cases[0].setup =
      "insert into public.todos (user_id) values ('00000000-0000-0000-0000-000000000001')";
  cases[0].expect->text = "4";  // 2 fixture rows, 1 from the run, 1 from the setup
  auto results = migsafe::checks::run_rls_cases(*session, cases, true);
  INFO(describe(results));
  CHECK(results[0].passed);
  CHECK(results[2].passed);
  REQUIRE(session->in_transaction());
  CHECK(session->query("select count(*) from public.todos").scalar() ==
        "4");  // the run's row, not the setup's
  session->exec("ROLLBACK");
  CHECK(state(*session) == before);
}

TEST_CASE("RLS cases compare values by kind and report unexpected outcomes", "[rls]") {
  using Kind = ExpectedValue::Kind;
  Project p("rls_cases_outcomes");
  auto session = p.session();
  session->exec(fixture("todos.sql"));
  std::vector<RlsCase> cases{
      expecting(make_case("boolean", "authenticated", kUserB,
                          "select auth.uid() = '00000000-0000-0000-0000-000000000002'::uuid"),
                Kind::boolean, "true"),
      expecting(make_case("legacy claim", "authenticated", kUserB,
                          "select current_setting('request.jwt.claim.sub')"),
                Kind::text, "00000000-0000-0000-0000-000000000002"),
      expecting(make_case("role claim", "authenticated", kUserB, "select auth.jwt() ->> 'role'"),
                Kind::text, "authenticated"),
      expecting(
          make_case("numbers compare numerically", "anon", std::nullopt, "select 1.50::numeric"),
          Kind::real, "1.5"),
      expecting(make_case("unexpected error", "anon", std::nullopt,
                          "select count(*) from public.missing"),
                Kind::integer, "0"),
      expecting_error(make_case("unexpected success", "authenticated", kUserA, "select 1"),
                      "42501"),
      expecting(
          make_case("commit is refused", "anon", std::nullopt, "delete from public.todos; commit"),
          Kind::integer, "0"),
      expecting(make_case("unknown role", "no_such_role", std::nullopt, "select 1"), Kind::integer,
                "1"),
  };
  const std::string before = state(*session);
  auto results = migsafe::checks::run_rls_cases(*session, cases, false);
  INFO(describe(results));
  REQUIRE(results.size() == cases.size());
  CHECK(results[0].passed);
  CHECK(results[1].passed);
  CHECK(results[2].passed);
  CHECK(results[3].passed);
  CHECK_FALSE(results[4].passed);
  CHECK(results[4].error_sqlstate == "42P01");
  CHECK_FALSE(results[5].passed);
  CHECK(results[5].actual == "succeeded (1 row)");
  CHECK_FALSE(results[6].passed);
  CHECK(results[6].actual.find("transaction control") != std::string::npos);
  CHECK_FALSE(results[7].passed);
  CHECK(state(*session) == before);
  CHECK(results[4].to_json()["error"]["sqlstate"] == "42P01");
  CHECK(results[0].to_json()["error"].is_null());
}

TEST_CASE("default_deny flags a table without RLS and passes protected ones", "[rls]") {
  Project p("rls_default_deny");
  auto session = p.session();
  session->exec(fixture("todos.sql"));
  session->exec(
      "create table public.countries (code text primary key default 'x');"
      "create table public.strict (id int not null);"  // RLS on, no policy: refused for anon
      "alter table public.strict enable row level security;");
  const std::string before = state(*session);
  migsafe::checks::LintOptions options{{"public"}, {"countries"}};
  for (bool inside : {false, true}) {
    if (inside) session->exec("BEGIN");
    auto results = migsafe::checks::run_default_deny(*session, options, inside);
    INFO(describe(results));
    REQUIRE(results.size() == 4);  // countries is public
    CHECK(results[0].name == "default_deny: public.notes");
    CHECK(results[0].passed);  // anon has no policy at all on notes
    CHECK(results[1].name == "default_deny: public.open_notes");
    CHECK_FALSE(results[1].passed);
    CHECK(results[1].actual.find("INSERT succeeded") != std::string::npos);
    CHECK(results[2].name == "default_deny: public.strict");
    CHECK(results[2].passed);
    CHECK(results[3].name == "default_deny: public.todos");
    CHECK(results[3].passed);
    if (inside) {
      CHECK(session->in_transaction());
      session->exec("ROLLBACK");
    }
  }
  CHECK(state(*session) == before);
}

TEST_CASE("default_deny sees rows anon can read even in an empty table", "[rls]") {
  Project p("rls_default_deny_seeded");
  auto session = p.session();
  session->exec(
      "create table public.posts (id bigint generated always as identity primary key, body text);"
      "alter table public.posts enable row level security;"
      "create policy \"anyone reads posts\" on public.posts for select using (true);");
  auto results = migsafe::checks::run_default_deny(
      *session, migsafe::checks::LintOptions{{"public"}, {}}, false);
  INFO(describe(results));
  REQUIRE(results.size() == 1);
  CHECK_FALSE(results[0].passed);
  CHECK(results[0].actual.find("SELECT sees 1 row") != std::string::npos);
  CHECK(session->query("select count(*) from public.posts").scalar() == "0");
}
