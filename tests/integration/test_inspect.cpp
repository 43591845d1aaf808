// `plan` and `status` read the history and change nothing.
#include <catch2/catch.hpp>

#include "harness.hpp"

using migsafe::test::Project;
using migsafe::test::differences;

TEST_CASE("plan and status list pending, applied, changed and missing and change nothing", "[inspect]") {
  Project p("inspect");
  p.pipeline();
  p.migration("20240101000000_a.sql", "create table public.a (id int);\n");
  p.migration("20240102000000_b.sql", "create table public.b (id int);\n");
  REQUIRE(p.migsafe({"run", "{pipeline}", "--db", "{db}"}).exit_code == 0);
  p.migration("20240101000000_a.sql", "create table public.a (id int, changed int);\n");
  std::filesystem::remove(p.dir() / "migrations" / "20240102000000_b.sql");
  p.migration("20240103000000_c.sql", "set lock_timeout = 0;\ncreate table public.c (id int);\n");
  const auto pre_run = p.snapshot();
  const std::string history = p.value("select string_agg(version, ',' order by version) from migsafe.migrations");
  const std::string runs = p.value("select count(*) from migsafe.runs");

  auto status = p.migsafe({"status", "{pipeline}", "--db", "{db}", "--json"});
  INFO(status.err);
  REQUIRE(status.exit_code == 0);
  CHECK(status.err.find("applied  20240101000000_a") != std::string::npos);
  CHECK(status.err.find("pending  20240103000000_c") != std::string::npos);
  CHECK(status.err.find("changed") != std::string::npos);
  CHECK(status.err.find("missing") != std::string::npos);
  CHECK(status.json()["warnings"].size() == 2);

  auto plan = p.migsafe({"plan", "{pipeline}", "--db", "{db}", "--json"});
  REQUIRE(plan.exit_code == 0);
  auto report = plan.json();
  REQUIRE(report["migrations"].size() == 1);
  CHECK(report["migrations"][0]["version"] == "20240103000000");
  CHECK(report["timeouts"]["lock_timeout"] == "5s");
  CHECK(report["timeouts"]["statement_timeout"] == "10min");
  CHECK(plan.err.find("lock_timeout 5s, statement_timeout 10min") != std::string::npos);

  CHECK(differences(pre_run, p.snapshot()) == "");
  CHECK(p.value("select string_agg(version, ',' order by version) from migsafe.migrations") == history);
  CHECK(p.value("select count(*) from migsafe.runs") == runs);
}
