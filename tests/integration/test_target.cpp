// TARGET resolution, unreachable servers, and the password never showing anywhere.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "harness.hpp"

using migsafe::test::Project;

namespace {

std::string read_all(const std::filesystem::path& dir) {
  std::string all;
  for (auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    all += migsafe::test::read_file(e.path());
  }
  return all;
}

}  // namespace

TEST_CASE("run without any target refuses with exit 2 and says how to name one", "[target]") {
  Project p("no_target", false);
  p.pipeline();
  auto r = p.migsafe({"run", "{pipeline}"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("--db URL, --local or --ephemeral, or set DATABASE_URL") != std::string::npos);
}

TEST_CASE("the pipeline's url_env names the target", "[target]") {
  Project p("url_env");
  p.pipeline(migsafe::test::pipeline_body_with("[database]", "[database]\nurl_env = \"MY_DB\""));
  p.migration("20240101000000_a.sql", "create table public.a (id int);\n");
  auto r = p.migsafe({"run", "{pipeline}"}, {{"MY_DB", p.db_arg()}});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(p.value("select to_regclass('public.a') is not null") == "t");
}

TEST_CASE("an unreachable server is exit 4 naming host and port, never the password", "[target][secrets]") {
  Project p("unreachable", false);
  p.pipeline();
  auto r = p.migsafe({"run", "{pipeline}", "--db", "postgresql://bob:Sup3rSecretPw@127.0.0.1:1/app", "--json",
                      "--report", (p.dir() / "report.json").string()});
  CHECK(r.exit_code == 4);
  CHECK(r.err.find("127.0.0.1") != std::string::npos);
  CHECK(r.err.find("port 1") != std::string::npos);
  CHECK(r.json()["status"] == "refused");
  CHECK((r.out + r.err + read_all(p.dir())).find("Sup3rSecretPw") == std::string::npos);
}

TEST_CASE("a password given in the URL appears in no output, report, manifest or backup file", "[secrets]") {
  Project p("password_hidden");
  p.session()->exec("create role app_owner login superuser password 'Sup3rSecretPw'");
  p.pipeline();
  p.migration("20240101000000_a.sql", "create table public.a (id int);\n");
  p.migration("20240102000000_b.sql", "select 1/0;\n");
  auto info = p.conninfo();
  const std::string url = "postgresql://app_owner:Sup3rSecretPw@/" + info.get("dbname") + "?host=" + info.get("host") +
                          "&port=" + info.get("port");
  auto r = p.migsafe({"run", "{pipeline}", "--db", url, "--json", "--verbose", "--report",
                      (p.dir() / "report.json").string()});
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.json()["database"]["url"].get<std::string>().find("app_owner@") != std::string::npos);
  CHECK((r.out + r.err + read_all(p.dir())).find("Sup3rSecretPw") == std::string::npos);
  p.session()->exec("drop owned by app_owner; drop role app_owner");
}

TEST_CASE("supabase-shim refuses a database with a real auth schema", "[target]") {
  Project p("real_auth", false);
  p.session()->exec("create schema auth");
  auto r = p.migsafe({"supabase-shim", "--db", "{db}"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("already has an `auth` schema") != std::string::npos);
}

TEST_CASE("libpq's PG* variables name the target when nothing else does", "[target]") {
  Project p("pg_env_target");
  p.pipeline();
  p.migration("20240101000000_a.sql", "create table public.a (id int);\n");
  auto info = p.conninfo();
  auto r = p.migsafe({"run", "{pipeline}", "--json"},
                     {{"PGHOST", info.get("host")}, {"PGPORT", info.get("port")}, {"PGDATABASE", info.get("dbname")},
                      {"PGUSER", "postgres"}});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(p.value("select to_regclass('public.a') is not null") == "t");
}

TEST_CASE("--local with no local Supabase running says how to start one", "[target]") {
  Project p("local_missing", false);
  p.pipeline();
  auto r = p.migsafe({"run", "{pipeline}", "--local"});
  CHECK(r.exit_code == 4);
  CHECK(r.err.find("supabase start") != std::string::npos);
  CHECK(r.err.find("--ephemeral") != std::string::npos);
}
