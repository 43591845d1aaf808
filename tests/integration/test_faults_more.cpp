// More faults: poolers, a pg_restore that dies mid-restore, a restore racing a run, kill -9 mid-backup.
#include <catch2/catch.hpp>

#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <future>

#include "harness.hpp"

using migsafe::test::Project;
using migsafe::test::differences;

namespace {

// A pg_bin_dir whose tools are the real ones, except `tool`, which runs `script` instead.
std::string spy_bin(const Project& p, const std::string& tool, const std::string& script) {
  auto bin = p.dir() / "spy-bin";
  std::filesystem::create_directories(bin);
  for (const char* name : {"pg_dump", "pg_restore", "psql"}) {
    if (name == tool) {
      std::ofstream(bin / name) << "#!/bin/sh\n" << script;
      std::filesystem::permissions(bin / name, std::filesystem::perms::owner_all);
    } else {
      std::filesystem::create_symlink(std::string("/usr/lib/postgresql/15/bin/") + name, bin / name);
    }
  }
  return "[database]\npg_bin_dir = \"spy-bin\"";
}

}  // namespace

TEST_CASE("run refuses a transaction-mode pooler before connecting", "[faults]") {
  Project p("pooler", false);
  p.pipeline();
  auto r = p.migsafe({"run", "{pipeline}", "--db", "host=127.0.0.1 port=6543 dbname=postgres user=postgres"});
  CHECK(r.exit_code == 4);
  CHECK(r.err.find("transaction-mode pooler") != std::string::npos);
}

TEST_CASE("a pg_restore killed mid-restore is exit 3 and leaves the database as the failed run left it",
          "[faults]") {
  Project p("pg_restore_killed");
  std::string body = migsafe::test::pipeline_body_with("dir = \"migrations\"", "dir = \"migrations\"\nmode = \"per-migration\"");
  const std::string script =
      "case \"$*\" in *--list*) exec /usr/lib/postgresql/15/bin/pg_restore \"$@\";; esac\n"
      "/usr/lib/postgresql/15/bin/pg_restore \"$@\" | head -c 3000\nkill -9 $$\n";
  const std::string bin = spy_bin(p, "pg_restore", script);
  p.pipeline(body.replace(body.find("[database]"), 10, bin));
  p.migration("20240101000000_base.sql", "create table public.t (id int primary key);\ninsert into public.t values (1), (2);\n");
  REQUIRE(p.migsafe({"run", "{pipeline}", "--db", "{db}"}).exit_code == 0);
  p.migration("20240102000000_change.sql", "create table public.u (id int);\n");
  p.migration("20240103000000_fails.sql", "select 1/0;\n");
  auto r = p.migsafe({"run", "{pipeline}", "--db", "{db}", "--json"});
  INFO(r.err);
  CHECK(r.exit_code == 3);
  CHECK(r.json()["status"] == "failed_unrestored");
  CHECK(r.json()["restore"]["error"].get<std::string>().find("signal 9") != std::string::npos);
  CHECK(p.value("select to_regclass('public.u') is not null") == "t");  // the restore changed nothing
  CHECK(p.value("select count(*) from public.t") == "2");
  CHECK(r.err.find("a human must act") != std::string::npos);
}

TEST_CASE("backup restore waits for a running run instead of racing it", "[faults][concurrency]") {
  Project p("restore_vs_run");
  p.pipeline(migsafe::test::pipeline_body_with("lock_wait = \"2s\"", "lock_wait = \"60s\""));
  p.migration("20240101000000_base.sql", "create table public.t (id int);\ninsert into public.t values (1);\n");
  REQUIRE(p.migsafe({"run", "{pipeline}", "--db", "{db}"}).exit_code == 0);
  p.migration("20240102000000_more.sql", "alter table public.t add column v int;\n");
  REQUIRE(p.migsafe({"run", "{pipeline}", "--db", "{db}"}).exit_code == 0);
  const auto at_v2 = p.snapshot();
  p.migration("20240103000000_slow.sql", "alter table public.t add column w int;\nselect pg_sleep(2);\n");

  auto run = std::async(std::launch::async, [&] { return p.migsafe({"run", "{pipeline}", "--db", "{db}"}); });
  REQUIRE(p.wait_for_query("pg_sleep(2)"));
  auto restore = p.migsafe({"backup", "restore", "{pipeline}", "--db", "{db}", "--tag", "20240101000000", "--yes"});
  auto ran = run.get();
  INFO(ran.err + restore.err);
  CHECK(ran.exit_code == 0);
  CHECK(restore.exit_code == 0);
  // The restore came second, whole: the database is at version 1, with its history.
  CHECK(p.value("select string_agg(version, ',' order by version) from supabase_migrations.schema_migrations") ==
        "20240101000000");
  CHECK(p.value("select count(*) from information_schema.columns where table_name = 't'") == "1");
  CHECK(differences(at_v2, p.snapshot()) != "");
}

TEST_CASE("kill -9 during the backup applies nothing and the next run works", "[faults]") {
  Project p("kill_during_backup");
  const std::string bin = spy_bin(p, "pg_dump", "/usr/lib/postgresql/15/bin/pg_dump \"$@\"\nexec sleep 30\n");
  p.pipeline(migsafe::test::pipeline_body_with("[database]", bin));
  p.migration("20240101000000_a.sql", "create table public.a (id int);\n");
  int pid = p.spawn_migsafe({"run", "{pipeline}", "--db", "{db}"});
  bool dumping = false;
  for (int i = 0; i < 200 && !dumping; ++i) {
    usleep(50 * 1000);
    for (auto& e : std::filesystem::directory_iterator(p.dir())) {
      if (e.path().filename() == "backups") dumping = true;
    }
  }
  REQUIRE(dumping);
  usleep(500 * 1000);
  kill(pid, SIGKILL);
  Project::wait_migsafe(pid);
  usleep(1500 * 1000);
  CHECK(p.value("select to_regclass('public.a') is null") == "t");

  p.pipeline();  // the real pg_dump again
  auto next = p.migsafe({"run", "{pipeline}", "--db", "{db}", "--json"});
  INFO(next.err);
  CHECK(next.exit_code == 0);
  CHECK(p.value("select to_regclass('public.a') is not null") == "t");
  auto listed = nlohmann::json::parse(p.migsafe({"backup", "list", "{pipeline}", "--json"}).out);
  CHECK(listed.size() == 1);  // the killed run's partial file is not a backup
}
