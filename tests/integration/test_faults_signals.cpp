// SIGINT/SIGTERM: the running query is cancelled, the transaction rolls back, children and
// throwaway servers are stopped, partial files removed, exit 130.
#include <catch2/catch.hpp>

#include <signal.h>
#include <unistd.h>

#include <set>

#include "harness.hpp"

using migsafe::test::Project;
using migsafe::test::differences;

TEST_CASE("SIGTERM during a migration cancels it, rolls back and exits 130", "[faults][signals]") {
  Project p("sigterm_migration");
  p.pipeline();
  p.migration("20240101000000_base.sql", "create table public.t (id int);\n");
  REQUIRE(p.migsafe({"run", "{pipeline}", "--db", "{db}"}).exit_code == 0);
  const auto pre_run = p.snapshot();
  p.migration("20240102000000_slow.sql", "alter table public.t add column v int;\nselect pg_sleep(30);\n");
  int pid = p.spawn_migsafe({"run", "{pipeline}", "--db", "{db}"});
  REQUIRE(p.wait_for_query("pg_sleep(30)"));
  kill(pid, SIGTERM);
  CHECK(Project::wait_migsafe(pid) == 130);
  CHECK(differences(pre_run, p.snapshot()) == "");
  CHECK(p.value("select count(*) from pg_stat_activity where position('pg_sleep(30)' in query) > 0 and state = 'active' and pid <> pg_backend_pid()") == "0");
  CHECK(p.value("select count(*) from supabase_migrations.schema_migrations") == "1");
  CHECK(p.migsafe({"run", "{pipeline}", "--db", "{db}", "--to", "20240101000000"}).exit_code == 0);  // no stale lock
}

// The signal lands while initdb is still writing the cluster: initdb dies with migsafe's children,
// and that must read as the interruption (130), not as "initdb failed" (2).
TEST_CASE("SIGINT while the throwaway server is being created exits 130 and removes its directory",
          "[faults][signals]") {
  Project p("sigint_initdb", false);
  p.pipeline();
  p.migration("20240101000000_t.sql", "create table public.t (id int);\n");
  std::set<std::string> existing;
  for (auto& e : std::filesystem::directory_iterator("/tmp")) existing.insert(e.path().string());
  int pid = p.spawn_migsafe({"run", "{pipeline}", "--ephemeral"});
  std::string cluster_dir;
  for (int i = 0; i < 2000 && cluster_dir.empty(); ++i) {
    usleep(5 * 1000);
    for (auto& e : std::filesystem::directory_iterator("/tmp")) {
      const std::string path = e.path().string();
      if (path.find("/tmp/migsafe-pg-") == 0 && !existing.count(path)) cluster_dir = path;
    }
  }
  REQUIRE_FALSE(cluster_dir.empty());
  kill(pid, SIGINT);
  CHECK(Project::wait_migsafe(pid) == 130);
  CHECK_FALSE(std::filesystem::exists(cluster_dir));
}

TEST_CASE("SIGINT stops a throwaway server and removes its directory", "[faults][signals]") {
  Project p("sigint_ephemeral", false);
  p.pipeline();
  p.migration("20240101000000_slow.sql", "create table public.t (id int);\nselect pg_sleep(30);\n");
  int pid = p.spawn_migsafe({"run", "{pipeline}", "--ephemeral"});
  // The run names its throwaway server's socket directory in its first line; once the backup step
  // is reported, the migration (30 s of sleep) is under way. Read from this run's own output, not
  // from /tmp, which other runs share.
  std::string cluster_dir;
  bool migrating = false;
  for (int i = 0; i < 600 && !migrating; ++i) {
    usleep(100 * 1000);
    const std::string out = migsafe::test::read_file(p.dir() / "spawned.out");
    size_t at = out.find("ephemeral PostgreSQL at /tmp/migsafe-pg-");
    if (at != std::string::npos && cluster_dir.empty()) {
      at += std::string("ephemeral PostgreSQL at ").size();
      cluster_dir = out.substr(at, out.find(' ', at) - at);
    }
    migrating = out.find("ok   backup") != std::string::npos;
  }
  INFO(migsafe::test::read_file(p.dir() / "spawned.out"));
  REQUIRE_FALSE(cluster_dir.empty());
  REQUIRE(migrating);
  REQUIRE(std::filesystem::exists(cluster_dir));
  usleep(300 * 1000);
  kill(pid, SIGINT);
  CHECK(Project::wait_migsafe(pid) == 130);
  CHECK_FALSE(std::filesystem::exists(cluster_dir));
}
