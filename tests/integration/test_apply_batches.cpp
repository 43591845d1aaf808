// A migration's statements reach the server in batches (one round trip for many statements, each
// followed by a read of its locks or of the clock), and the session reset and history rows ride
// with the last of them. What a user sees must not change: an error is located at its own
// statement's line and column, nothing after it runs, and history records what ran and how long.
#include <catch2/catch.hpp>

#include <string>

#include "harness.hpp"

using migsafe::test::Project;
using migsafe::test::differences;

namespace {

// Runs `base` as the first migration, then `failing` as the second, which must fail and leave the
// database exactly as the first left it; returns the failed migration's report entry.
nlohmann::json failed_second_migration(Project& p, const std::string& base, const std::string& failing) {
  p.pipeline();
  p.migration("20240101000000_base.sql", base);
  REQUIRE(p.migsafe({"run", "{pipeline}", "--db", "{db}"}).exit_code == 0);
  const auto before = p.snapshot();
  p.migration("20240102000000_second.sql", failing);
  auto r = p.migsafe({"run", "{pipeline}", "--db", "{db}", "--json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 1);
  CHECK(differences(before, p.snapshot()) == "");
  return r.json()["migrations"][0];
}

}  // namespace

TEST_CASE("a syntax error in a later statement of a migration is located by its line and column, after multi-byte text",
          "[run][batch]") {
  Project p("batch_syntax_error");
  auto failed = failed_second_migration(p, "create table public.base (id int);\n",
                                        "create table public.\"é\" (id int, label text);\n"
                                        "insert into public.\"é\" values (1, 'ÄÖÜ — ünïcödé');\n"
                                        "-- ünïcödé comment\n"
                                        "select 'ÄÖÜ' frm x;\n");
  CHECK(failed["error"]["sqlstate"] == "42601");
  CHECK(failed["error"]["line"] == 4);
  CHECK(failed["error"]["column"] == 18);  // characters, not bytes: 'ÄÖÜ' is 5 characters, 8 bytes
  const std::string statement = failed["error"]["statement"];
  CHECK(statement.substr(statement.find("select")) == "select 'ÄÖÜ' frm x");
  CHECK(p.value("select to_regclass('public.\"é\"') is null") == "t");
}

TEST_CASE("a statement that fails at run time is named by its own line, and the ones after it do not run",
          "[run][batch]") {
  Project p("batch_runtime_error");
  auto failed = failed_second_migration(p, "create table public.seen (n int);\n",
                                        "insert into public.seen values (1);\n"
                                        "select 1 / (select count(*) - 1 from public.seen);\n"
                                        "insert into public.seen values (3);\n");
  CHECK(failed["error"]["sqlstate"] == "22012");
  CHECK(failed["error"]["line"] == 2);
  CHECK(failed["error"]["file"].get<std::string>().find("20240102000000_second.sql") != std::string::npos);
  CHECK(p.value("select count(*) from public.seen") == "0");
}

TEST_CASE("a migration longer than one batch runs whole, and a failure deep in it is located", "[run][batch]") {
  Project p("batch_long");
  p.pipeline();
  std::string ok_sql = "create table public.many (n int);\n", bad_sql;
  for (int i = 1; i <= 450; ++i) ok_sql += "insert into public.many values (" + std::to_string(i) + ");\n";
  p.migration("20240101000000_many.sql", ok_sql);
  auto r = p.migsafe({"run", "{pipeline}", "--db", "{db}", "--json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(p.value("select count(*) || ' ' || sum(n) from public.many") == "450 101475");
  CHECK(r.json()["impact"]["statements"].size() == 451);

  for (int i = 1; i <= 400; ++i) bad_sql += i == 333 ? "insert into public.many values ('x');\n" : "insert into public.many values (0);\n";
  p.migration("20240102000000_bad.sql", bad_sql);
  const auto before = p.snapshot();
  r = p.migsafe({"run", "{pipeline}", "--db", "{db}", "--json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 1);
  auto failed = r.json()["migrations"][0];
  CHECK(failed["error"]["sqlstate"] == "22P02");
  CHECK(failed["error"]["line"] == 333);
  CHECK(failed["error"]["column"] == 33);
  CHECK(p.value("select count(*) from public.many") == "450");
  CHECK(differences(before, p.snapshot()) == "");
}

TEST_CASE("history records each migration with the time the server spent on it", "[run][batch]") {
  Project p("batch_history");
  p.pipeline();
  p.migration("20240101000000_slow.sql", "create table public.t (id int);\nselect pg_sleep(0.3);\n");
  p.migration("20240102000000_fast.sql", "insert into public.t values (1);\n");
  auto r = p.migsafe({"run", "{pipeline}", "--db", "{db}", "--json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(std::stoll(p.value("select duration_ms from migsafe.migrations where version = '20240101000000'")) >= 300);
  CHECK(std::stoll(p.value("select duration_ms from migsafe.migrations where version = '20240102000000'")) < 300);
  CHECK(r.json()["migrations"][0]["duration_ms"].get<long long>() >= 300);
  CHECK(p.value("select array_length(statements, 1) from supabase_migrations.schema_migrations "
                "where version = '20240101000000'") == "2");
}

TEST_CASE("a migration that deallocates prepared statements does not break the statements after it", "[run][batch]") {
  Project p("batch_deallocate");
  p.pipeline();
  p.migration("20240101000000_dealloc.sql",
              "create table public.a (id int);\ndeallocate all;\ninsert into public.a values (1);\ndiscard plans;\n"
              "insert into public.a values (2);\n");
  p.migration("20240102000000_after.sql", "insert into public.a values (3);\n");
  auto r = p.migsafe({"run", "{pipeline}", "--db", "{db}", "--json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(p.value("select string_agg(id::text, ',' order by id) from public.a") == "1,2,3");
  CHECK(r.json()["impact"]["statements"].size() == 6);
}

// Ending one prepared statement of its own leaves migsafe's in place: the next batch must neither
// prepare them again (the server would refuse a name that exists) nor assume they are gone.
TEST_CASE("a migration that deallocates a statement of its own leaves migsafe's prepared reads working", "[run][batch]") {
  Project p("batch_deallocate_one");
  p.pipeline();
  p.migration("20240101000000_own.sql",
              "create table public.a (id int);\nprepare add_one as insert into public.a values (1);\nexecute add_one;\n"
              "deallocate add_one;\ninsert into public.a values (2);\n");
  p.migration("20240102000000_after.sql", "insert into public.a values (3);\n");
  p.migration("20240103000000_last.sql", "insert into public.a values (4);\n");
  auto r = p.migsafe({"run", "{pipeline}", "--db", "{db}", "--json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(p.value("select string_agg(id::text, ',' order by id) from public.a") == "1,2,3,4");
  CHECK(r.json()["impact"]["statements"].size() == 7);
  CHECK(p.value("select count(*) from migsafe.migrations") == "3");
}

// A batch is sent whole before its results are read: a statement whose rows fill the socket while
// the rest of a large migration is still being sent must not leave both sides waiting.
TEST_CASE("a statement returning megabytes of rows in a large migration does not stall its batch", "[run][batch]") {
  Project p("batch_big_result");
  p.pipeline();
  std::string sql = "create table public.wide (v text);\nselect repeat('x', 1000) from generate_series(1, 5000);\n";
  const std::string value(1500, 'y');
  for (int i = 0; i < 300; ++i) sql += "insert into public.wide values ('" + value + "');\n";
  p.migration("20240101000000_wide.sql", sql);
  auto r = p.migsafe({"run", "{pipeline}", "--db", "{db}"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(p.value("select count(*) from public.wide") == "300");
}
