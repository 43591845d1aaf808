// [hooks] in a real run: `before` gates the run, `on_success`/`on_failure` see its outcome.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "harness.hpp"

using migsafe::test::Project;
using migsafe::test::differences;

namespace {

std::string hooks_section(const std::string& before, const std::string& success, const std::string& failure) {
  return migsafe::test::default_pipeline_body() + "[hooks]\nbefore = \"" + before + "\"\non_success = \"" + success +
         "\"\non_failure = \"" + failure + "\"\ntimeout = \"10s\"\n";
}

}  // namespace

TEST_CASE("a failing before hook stops the run before anything changes", "[run-hooks]") {
  Project p("before_hook_fails");
  p.pipeline(hooks_section("echo maintenance on; exit 3", "true", "true"));
  p.migration("20240101000000_a.sql", "create table public.a (id int);\n");
  const auto pre_run = p.snapshot();
  auto r = p.migsafe({"run", "{pipeline}", "--db", "{db}", "--json"});
  CHECK(r.exit_code == 4);
  CHECK(r.json()["status"] == "refused");
  CHECK(r.json()["hooks"][0]["exit_code"] == 3);
  CHECK(r.err.find("the before hook failed (exit 3)") != std::string::npos);
  CHECK(differences(pre_run, p.snapshot()) == "");
  CHECK(p.value("select to_regnamespace('migsafe') is null") == "t");
  CHECK_FALSE(std::filesystem::exists(p.dir() / "backups"));
}

TEST_CASE("after-run hooks receive the outcome in their environment", "[run-hooks]") {
  Project p("after_hooks");
  const std::string log = (p.dir() / "hooks.log").string();
  const std::string record = "echo $MIGSAFE_STATUS $MIGSAFE_EXIT_CODE $MIGSAFE_FROM_VERSION $MIGSAFE_TO_VERSION "
                             "$MIGSAFE_BACKUP_ID $MIGSAFE_REPORT >> " + log;
  p.pipeline(hooks_section("echo before $MIGSAFE_STATUS >> " + log, record, record));
  p.migration("20240101000000_a.sql", "create table public.a (id int);\n");
  const std::string report = (p.dir() / "report.json").string();
  auto ok = p.migsafe({"run", "{pipeline}", "--db", "{db}", "--report", report, "--json"});
  INFO(ok.err);
  REQUIRE(ok.exit_code == 0);
  const std::string backup_id = ok.json()["backup"]["backup_id"];
  CHECK(migsafe::test::read_file(log).find("succeeded 0 0 20240101000000 " + backup_id + " " + report) != std::string::npos);
  CHECK(migsafe::test::read_file(log).find("before running") != std::string::npos);

  p.migration("20240102000000_b.sql", "select 1/0;\n");
  auto failed = p.migsafe({"run", "{pipeline}", "--db", "{db}", "--report", report});
  CHECK(failed.exit_code == 1);
  CHECK(migsafe::test::read_file(log).find("failed_restored 1 20240101000000 20240102000000") != std::string::npos);
  CHECK(nlohmann::json::parse(migsafe::test::read_file(report))["hooks"].size() == 2);
}

TEST_CASE("a run refused after a successful before hook still runs on_failure", "[run-hooks]") {
  Project p("hooks_refused_after_before");
  const std::string log = (p.dir() / "hooks.log").string();
  std::filesystem::create_directories(p.dir() / "empty-bin");
  std::string body = hooks_section("echo maintenance on >> " + log, "true", "echo maintenance off $MIGSAFE_STATUS >> " + log);
  p.pipeline(body.replace(body.find("[database]"), 10, "[database]\npg_bin_dir = \"empty-bin\""));
  p.migration("20240101000000_a.sql", "create table public.a (id int);\n");
  auto r = p.migsafe({"run", "{pipeline}", "--db", "{db}"});
  CHECK(r.exit_code == 4);  // no pg_dump: no backup, no migration
  CHECK(migsafe::test::read_file(log) == "maintenance on\nmaintenance off refused\n");
}
