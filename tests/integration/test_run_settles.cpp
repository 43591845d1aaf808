// Every way out of a run settles it: the fault hook (`run --test-fault WHERE[:HOW]`, tests only)
// fails the run at each step, and each time the report is valid JSON with the right status, the
// ledger row is settled (never "running"), on_failure ran, the lock is free (the next run works)
// and the exit code says what is known about the database.
#include <catch2/catch.hpp>

#include <fstream>

#include "harness.hpp"

using migsafe::test::Project;
using migsafe::test::differences;

namespace {

// A pipeline with a verify assertion and after-run hooks that leave a marker file.
std::string pipeline_with_hooks(const std::string& mode) {
  return migsafe::test::pipeline_body_with("dir = \"migrations\"", "dir = \"migrations\"\nmode = \"" + mode + "\"") +
         "[[verify.assert]]\nname = \"t exists\"\nsql = \"select count(*) >= 0 from public.t\"\n"
         "[hooks]\nbefore = \"true\"\non_success = \"echo success > hook.out\"\non_failure = \"echo failure > hook.out\"\n";
}

struct Expect {
  std::string where;
  int exit_code;
  std::string status;  // report and ledger status
  std::string hook;    // what the after-run hook wrote, "" when it must not run
};

// Runs with the fault, checks everything the user and the next run see.
void check_fault(const std::string& mode, const Expect& e, const std::string& name) {
  Project p(name);
  p.pipeline(pipeline_with_hooks(mode));
  p.migration("20240101000000_base.sql", "create table public.t (id int);\ninsert into public.t values (1);\n");
  REQUIRE(p.migsafe({"run", "{pipeline}", "--db", "{db}"}).exit_code == 0);
  std::filesystem::remove(p.dir() / "hook.out");
  const auto before = p.snapshot();
  p.migration("20240102000000_add.sql", "alter table public.t add column v int;\n");
  p.migration("20240103000000_more.sql", "create table public.u (id int);\ninsert into public.u values (1);\n");

  const std::string report = (p.dir() / "report.json").string();
  auto r = p.migsafe({"run", "{pipeline}", "--db", "{db}", "--report", report, "--test-fault", e.where});
  INFO(e.where << " (" << mode << "): " << r.err);
  CHECK(r.exit_code == e.exit_code);
  nlohmann::json j = nlohmann::json::parse(migsafe::test::read_file(report));  // valid JSON, or the test fails
  CHECK(j["status"] == e.status);
  const std::string run_id = j["run_id"];
  const std::string ledger =
      p.value("select coalesce((select status from migsafe.runs where run_id = '" + run_id + "'), 'none')");
  CHECK(ledger != "running");
  if (ledger != "none") CHECK(ledger == e.status);
  CHECK(migsafe::test::read_file(p.dir() / "hook.out") == (e.hook.empty() ? "" : e.hook + "\n"));
  if (e.exit_code != 0) {  // failed or refused: the database is as before, judged on its own
    CHECK(differences(before, p.snapshot()) == "");
  }
  auto next = p.migsafe({"run", "{pipeline}", "--db", "{db}"});  // the lock is free, nothing is stuck
  INFO(next.err);
  CHECK(next.exit_code == 0);
  CHECK(p.value("select count(*) from migsafe.migrations") == "3");
}

}  // namespace

TEST_CASE("a fault at any step of an atomic run settles report, ledger, hook, lock and exit code", "[settle]") {
  const std::vector<Expect> cases = {
      {"history", 4, "refused", "failure"},
      {"hook before", 4, "refused", "failure"},
      {"snapshot", 4, "refused", "failure"},
      {"backup", 4, "refused", "failure"},
      {"migrate", 1, "failed_restored", "failure"},
      {"applied:20240102000000", 1, "failed_restored", "failure"},
      {"applied:20240103000000:query", 1, "failed_restored", "failure"},
      {"verify", 1, "failed_restored", "failure"},
      {"verify:error", 1, "failed_restored", "failure"},
      {"commit", 1, "failed_restored", "failure"},
      {"prune", 0, "succeeded", "success"},
      {"hook on_success", 0, "succeeded", ""},
  };
  int n = 0;
  for (const Expect& e : cases) check_fault("atomic", e, "settle_atomic_" + std::to_string(n++));
}

TEST_CASE("a fault at any step of a per-migration run settles it; a restored run is exit 1", "[settle]") {
  const std::vector<Expect> cases = {
      {"migrate", 1, "failed_restored", "failure"},
      {"committed:20240102000000", 1, "failed_restored", "failure"},
      {"applied:20240103000000", 1, "failed_restored", "failure"},
      {"verify", 1, "failed_restored", "failure"},
  };
  int n = 0;
  for (const Expect& e : cases) check_fault("per-migration", e, "settle_per_migration_" + std::to_string(n++));
}

TEST_CASE("a signal at a step boundary settles the run and exits 130", "[settle]") {
  check_fault("atomic", {"verify:term", 130, "failed_restored", "failure"}, "settle_sigterm");
}

TEST_CASE("a fault inside the recovery is exit 3 when the restore cannot be proven, with everything settled",
          "[settle]") {
  Project p("settle_restore_fault");
  p.pipeline(pipeline_with_hooks("per-migration"));
  p.migration("20240101000000_base.sql", "create table public.t (id int);\n");
  REQUIRE(p.migsafe({"run", "{pipeline}", "--db", "{db}"}).exit_code == 0);
  std::filesystem::remove(p.dir() / "hook.out");
  p.migration("20240102000000_add.sql", "alter table public.t add column v int;\n");
  p.migration("20240103000000_fails.sql", "select 1/0;\n");
  const std::string report = (p.dir() / "report.json").string();
  auto r = p.migsafe({"run", "{pipeline}", "--db", "{db}", "--report", report, "--test-fault", "restore"});
  INFO(r.err);
  CHECK(r.exit_code == 3);  // migration 2 committed and the restore never ran: a human must act
  nlohmann::json j = nlohmann::json::parse(migsafe::test::read_file(report));
  CHECK(j["status"] == "failed_unrestored");
  CHECK(p.value("select status from migsafe.runs where run_id = '" + j["run_id"].get<std::string>() + "'") ==
        "failed_unrestored");
  CHECK(migsafe::test::read_file(p.dir() / "hook.out") == "failure\n");
  CHECK(p.value("select count(*) from pg_locks where locktype = 'advisory'") == "0");
}

TEST_CASE("a failing statement or check with multi-byte text at any byte position still settles the run",
          "[settle]") {
  // 200 bytes (the statement excerpt) and any other cut land at each byte of a 4-byte character.
  for (int pad = 0; pad < 4; ++pad) {
    const std::string text = std::string(size_t(pad), 'x') + [] {
      std::string s;
      for (int i = 0; i < 80; ++i) s += "\xF0\x9F\x98\x80";  // U+1F600
      return s;
    }();
    for (bool in_check : {false, true}) {
      Project p("settle_utf8_" + std::to_string(pad) + (in_check ? "_check" : "_migration"));
      std::string body = pipeline_with_hooks("atomic");
      if (in_check) body += "[[verify.assert]]\nname = \"" + text + "\"\nsql = \"select '" + text + "' = 'no'\"\n";
      p.pipeline(body);
      p.migration("20240101000000_base.sql", "create table public.t (id int);\n");
      if (!in_check) {
        REQUIRE(p.migsafe({"run", "{pipeline}", "--db", "{db}"}).exit_code == 0);
        p.migration("20240102000000_bad.sql", "select 1/0 where '" + text + "' <> '';\n");
      }
      std::filesystem::remove(p.dir() / "hook.out");
      const std::string report = (p.dir() / "report.json").string();
      auto r = p.migsafe({"run", "{pipeline}", "--db", "{db}", "--report", report, "--json"});
      INFO("pad " << pad << (in_check ? " check: " : " migration: ") << r.err);
      CHECK(r.exit_code == 1);
      nlohmann::json j = nlohmann::json::parse(migsafe::test::read_file(report));
      CHECK(j["status"] == "failed_restored");
      CHECK(r.json()["status"] == "failed_restored");
      CHECK(p.value("select count(*) from migsafe.runs where status = 'running'") == "0");
      CHECK(migsafe::test::read_file(p.dir() / "hook.out") == "failure\n");
      CHECK(p.value("select count(*) from pg_locks where locktype = 'advisory'") == "0");
    }
  }
}
