// Migration files with awkward bytes are either handled or refused with file:line, never half-run.
#include <catch2/catch.hpp>

#include "harness.hpp"

using migsafe::test::Project;

TEST_CASE("BOM, CRLF, no trailing newline, comments-only and nested dollar quotes are handled", "[hostile]") {
  Project p("awkward_files");
  p.pipeline();
  p.migration("20240101000000_bom_crlf.sql", "\xEF\xBB\xBF" "create table public.a (id int);\r\ninsert into public.a values (1);\r\n");
  p.migration("20240102000000_no_newline.sql", "insert into public.a values (2)");
  p.migration("20240103000000_only_comments.sql", "-- nothing to do here\n/* really /* nothing */ */\n");
  p.migration("20240104000000_dollars.sql",
              "create function public.f() returns text language plpgsql as $outer$\n"
              "begin return $inner$ a;b $$ c $inner$; end;\n$outer$;\n");
  auto r = p.migsafe({"run", "{pipeline}", "--db", "{db}", "--json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(p.value("select count(*) from public.a") == "2");
  CHECK(p.value("select public.f()") == " a;b $$ c ");
  CHECK(p.value("select count(*) from supabase_migrations.schema_migrations") == "4");
}

TEST_CASE("an error after CRLF lines is located on the right line", "[hostile]") {
  Project p("crlf_error");
  p.pipeline();
  p.migration("20240101000000_crlf.sql", "create table public.a (id int);\r\n\r\ninsert into public.nope values (1);\r\n");
  auto r = p.migsafe({"run", "{pipeline}", "--db", "{db}", "--json"});
  REQUIRE(r.exit_code == 1);
  CHECK(r.json()["migrations"][0]["error"]["line"] == 3);
  CHECK(r.json()["migrations"][0]["error"]["column"] == 13);
}

TEST_CASE("a huge single statement runs", "[hostile]") {
  Project p("huge_statement");
  p.pipeline();
  std::string sql = "create table public.big (v text);\ninsert into public.big values ";
  for (int i = 0; i < 50000; ++i) sql += std::string(i ? "," : "") + "('row " + std::to_string(i) + " of a long insert')";
  p.migration("20240101000000_big.sql", sql + ";\n");
  auto r = p.migsafe({"run", "{pipeline}", "--db", "{db}"});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(p.value("select count(*) from public.big") == "50000");
}

TEST_CASE("NUL bytes and invalid UTF-8 are refused with file:line:column before anything runs", "[hostile]") {
  Project p("bad_bytes");
  p.pipeline();
  SECTION("NUL byte") {
    p.migration("20240101000000_nul.sql", std::string("create table public.a (id int);\nselect 1;\0drop table public.a;\n", 55));
    auto r = p.migsafe({"run", "{pipeline}", "--db", "{db}"});
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("20240101000000_nul.sql:2:10: contains a NUL byte") != std::string::npos);
  }
  SECTION("invalid UTF-8") {
    p.migration("20240101000000_latin1.sql", "create table public.a (id int);\ncomment on table public.a is 'caf\xe9';\n");
    auto r = p.migsafe({"run", "{pipeline}", "--db", "{db}"});
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("20240101000000_latin1.sql:2:34: invalid UTF-8 (byte 0xe9)") != std::string::npos);
  }
  CHECK(p.value("select to_regclass('public.a') is null") == "t");
  CHECK(p.value("select to_regnamespace('migsafe') is null") == "t");
}
