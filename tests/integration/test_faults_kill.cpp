// kill -9 of migsafe mid-run: the database is in the pre-run state or fully migrated, never in
// between, except a per-migration run, which the next run refuses to build on blindly.
#include <catch2/catch.hpp>

#include <signal.h>

#include "harness.hpp"

using migsafe::test::Project;
using migsafe::test::differences;

TEST_CASE("kill -9 during an atomic migration leaves the pre-run state and no stale lock", "[faults]") {
  Project p("kill_atomic");
  p.pipeline();
  p.migration("20240101000000_base.sql", "create table public.t (id int);\ninsert into public.t values (1);\n");
  REQUIRE(p.migsafe({"run", "{pipeline}", "--db", "{db}"}).exit_code == 0);
  const auto pre_run = p.snapshot();
    p.migration("20240102000000_slow.sql", "alter table public.t add column v int;\nselect pg_sleep(3);\n");

  int pid = p.spawn_migsafe({"run", "{pipeline}", "--db", "{db}"});
  REQUIRE(p.wait_for_query("pg_sleep(3)"));
  kill(pid, SIGKILL);
  CHECK(Project::wait_migsafe(pid) == 128 + SIGKILL);
  usleep(1500 * 1000);  // the server notices the dead client within client_connection_check_interval

  CHECK(differences(pre_run, p.snapshot()) == "");
  CHECK(p.value("select count(*) from supabase_migrations.schema_migrations") == "1");

  auto status = p.migsafe({"status", "{pipeline}", "--db", "{db}"});
  CHECK(status.err.find("interrupted run") != std::string::npos);
  auto next = p.migsafe({"run", "{pipeline}", "--db", "{db}", "--json"});
  INFO(next.err);
  CHECK(next.exit_code == 0);
  CHECK(next.err.find("interrupted before it committed anything") != std::string::npos);
  CHECK(p.value("select count(*) from supabase_migrations.schema_migrations") == "2");
  CHECK(p.value("select count(*) from migsafe.runs where status = 'interrupted'") == "1");
}

TEST_CASE("kill -9 between per-migration commits: status shows it and the next run goes on from there",
          "[faults]") {
  Project p("kill_per_migration");
  p.pipeline(migsafe::test::pipeline_body_with("dir = \"migrations\"", "dir = \"migrations\"\nmode = \"per-migration\""));
  p.migration("20240101000000_base.sql", "create table public.t (id int);\n");
  REQUIRE(p.migsafe({"run", "{pipeline}", "--db", "{db}"}).exit_code == 0);
  p.migration("20240102000000_quick.sql", "alter table public.t add column a int;\n");
  p.migration("20240103000000_next.sql", "alter table public.t add column b int;\n");

  // The test-only fault hook kills migsafe with SIGKILL right after migration 2 committed.
  auto killed = p.migsafe({"run", "{pipeline}", "--db", "{db}", "--test-fault", "committed:20240102000000:kill"});
  CHECK(killed.exit_code != 0);  // killed: no exit code of its own
  usleep(1500 * 1000);  // the server notices the dead client within client_connection_check_interval
  CHECK(p.value("select string_agg(version, ',' order by version) from migsafe.migrations") ==
        "20240101000000,20240102000000");
  const std::string backup_id = p.value("select backup_id from migsafe.runs where status = 'running'");
  CHECK(backup_id.find("_v20240101000000") != std::string::npos);

  auto status = p.migsafe({"status", "{pipeline}", "--db", "{db}"});
  CHECK(status.err.find("interrupted run") != std::string::npos);
  CHECK(status.err.find(backup_id) != std::string::npos);
  CHECK(status.err.find("at a migration boundary") != std::string::npos);

  auto next = p.migsafe({"run", "{pipeline}", "--db", "{db}", "--json"});
  INFO(next.err);
  CHECK(next.exit_code == 0);
  CHECK(next.json()["from_version"] == "20240102000000");
  CHECK(next.json()["migrations"].size() == 1);
  CHECK(next.json()["warnings"].dump().find(backup_id) != std::string::npos);
  CHECK(p.value("select string_agg(version, ',' order by version) from supabase_migrations.schema_migrations") ==
        "20240101000000,20240102000000,20240103000000");
  CHECK(p.value("select count(*) from migsafe.runs where status = 'interrupted'") == "1");
  auto list = p.migsafe({"backup", "list", "{pipeline}", "--json"});
  CHECK(list.out.find(backup_id) != std::string::npos);  // the interrupted run's backup is still listed
}

namespace {

// Applies a base migration, then kills migsafe -9 inside a file of two concurrent index builds
// once the first has committed and the second waits (its INVALID index exists). Returns the
// snapshot taken before that run.
migsafe::test::Snapshot kill_inside_concurrent_indexes(const Project& p) {
  p.pipeline();
  p.migration("20240101000000_base.sql", "create table public.t (a int);\ncreate table public.u (b int);\n"
                                         "insert into public.t values (1);\ninsert into public.u values (1);\n");
  REQUIRE(p.migsafe({"run", "{pipeline}", "--db", "{db}"}).exit_code == 0);
  auto before = p.snapshot();
  p.migration("20240102000000_indexes.sql",
              "create index concurrently t_a on public.t (a);\ncreate index concurrently u_b on public.u (b);\n");
  // A transaction holding a lock on u makes the second build wait once its (INVALID) index exists.
  auto holder = p.session();
  holder->exec("begin; lock table public.u in row exclusive mode");
  int pid = p.spawn_migsafe({"run", "{pipeline}", "--db", "{db}"});
  REQUIRE(p.wait_for_query("create index concurrently u_b"));
  bool waiting = false;  // past its first transaction: the INVALID index exists, the build waits for u's lock
  for (int i = 0; i < 400 && !waiting; ++i) {
    usleep(50 * 1000);
    waiting = p.value("select count(*) from pg_stat_activity where wait_event_type = 'Lock' and "
                      "position('create index concurrently u_b' in query) > 0") != "0";
  }
  REQUIRE(waiting);
  kill(pid, SIGKILL);
  Project::wait_migsafe(pid);
  // A build waiting for a lock does not notice its dead client until the wait ends; end it as the
  // server (or an operator) would, so it stops with its index INVALID.
  p.value("select count(pg_terminate_backend(pid)) from pg_stat_activity where "
          "position('create index concurrently u_b' in query) > 0 and pid <> pg_backend_pid()");
  holder->exec("rollback");
  usleep(1500 * 1000);
  CHECK(p.value("select count(*) from pg_index where not indisvalid") == "1");  // u_b, left by the kill
  return before;
}

}  // namespace

TEST_CASE("kill -9 inside a file with a committed CREATE INDEX CONCURRENTLY: the next run refuses with the way "
          "out, and no INVALID index remains after the restore",
          "[faults]") {
  Project p("kill_concurrent_index");
  const auto before = kill_inside_concurrent_indexes(p);

  auto refused = p.migsafe({"run", "{pipeline}", "--db", "{db}"});
  INFO(refused.err);
  CHECK(refused.exit_code == 4);
  CHECK(refused.err.find("20240102000000 (statements 1-1 committed") != std::string::npos);
  const std::string backup_id = p.value("select backup_id from migsafe.runs where status = 'running'");
  const std::string way_out = "migsafe backup restore " + p.pipeline_path().string() + " --id " + backup_id + " --yes";
  REQUIRE(refused.err.find(way_out) != std::string::npos);

  auto restored = p.migsafe({"backup", "restore", "{pipeline}", "--db", "{db}", "--id", backup_id, "--yes"});
  INFO(restored.err);
  CHECK(restored.exit_code == 0);
  CHECK(p.value("select count(*) from pg_index where not indisvalid") == "0");
  CHECK(p.value("select count(*) from pg_indexes where schemaname = 'public'") == "0");
  CHECK(differences(before, p.snapshot()) == "");
  auto next = p.migsafe({"run", "{pipeline}", "--db", "{db}"});  // the restore closed the interrupted run
  INFO(next.err);
  CHECK(next.exit_code == 0);
  CHECK(p.value("select count(*) from pg_index i join pg_class c on c.oid = i.indexrelid where c.relname in "
                "('t_a', 'u_b') and i.indisvalid") == "2");
}

TEST_CASE("a failing CREATE INDEX CONCURRENTLY leaves no INVALID index and is rolled back, exit 1", "[faults]") {
  Project p("failed_concurrent_index");
  p.pipeline();
  p.migration("20240101000000_base.sql", "create table public.t (a int);\ninsert into public.t values (1), (1);\n");
  REQUIRE(p.migsafe({"run", "{pipeline}", "--db", "{db}"}).exit_code == 0);
  const auto before = p.snapshot();
  p.migration("20240102000000_unique.sql", "create unique index concurrently t_a on public.t (a);\n");
  auto r = p.migsafe({"run", "{pipeline}", "--db", "{db}", "--json"});
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.json()["migrations"][0]["error"]["sqlstate"] == "23505");
  CHECK(p.value("select count(*) from pg_index where not indisvalid") == "0");
  CHECK(differences(before, p.snapshot()) == "");
  CHECK(r.json()["warnings"].dump().find("dropped the INVALID index public.t_a") != std::string::npos);
}

TEST_CASE("kill -9 during a restore leaves no half-restored database", "[faults]") {
  Project p("kill_during_restore");
  p.pipeline(migsafe::test::pipeline_body_with("dir = \"migrations\"", "dir = \"migrations\"\nmode = \"per-migration\""));
  // No primary key or index: nothing after the table's data in the archive, so only the restore's
  // single transaction (psql dies with migsafe) keeps a half-copied table from being committed.
  p.migration("20240101000000_base.sql", "create table public.t (id int, v text);\n"
                                         "insert into public.t select g, md5(g::text) from generate_series(1, 400000) g;\n");
  REQUIRE(p.migsafe({"run", "{pipeline}", "--db", "{db}"}).exit_code == 0);
  const auto pre_run = p.snapshot();
  p.migration("20240102000000_change.sql", "alter table public.t add column w int;\nupdate public.t set w = 1 where id < 10;\n");
  p.migration("20240103000000_fails.sql", "select 1/0;\n");

  int pid = p.spawn_migsafe({"run", "{pipeline}", "--db", "{db}"});
  auto s = p.session();
  bool restoring = false;
  for (int i = 0; i < 300 && !restoring; ++i) {
    usleep(50 * 1000);
    restoring = s->query("select count(*) from pg_stat_activity where application_name = 'psql' and "
                         "position('COPY' in query) > 0").scalar() != "0";
  }
  REQUIRE(restoring);
  kill(pid, SIGKILL);
  Project::wait_migsafe(pid);
  usleep(1500 * 1000);
  CHECK(s->query("select count(*) from pg_stat_activity where application_name = 'psql'").scalar() == "0");
  // The restore's single transaction rolled back: the database is as the failed run left it
  // (migration 2 committed), not half restored, and the next run says how to get out.
  CHECK(p.value("select count(*) from public.t") == "400000");
  CHECK(p.value("select count(*) from public.t where w = 1") == "9");
  CHECK(differences(pre_run, p.snapshot()) != "");
  auto next = p.migsafe({"run", "{pipeline}", "--db", "{db}"});
  CHECK(next.exit_code == 4);
  CHECK(next.err.find("partly migrated") != std::string::npos);
}

TEST_CASE("kill -9 during verification leaves the pre-run state", "[faults]") {
  Project p("kill_during_verify");
  p.pipeline(migsafe::test::default_pipeline_body() +
             "[[verify.assert]]\nname = \"slow check\"\nsql = \"select pg_sleep(3) is not null\"\n");
  p.migration("20240101000000_base.sql", "create table public.t (id int);\n");
  REQUIRE(p.migsafe({"run", "{pipeline}", "--db", "{db}"}).exit_code == 0);
  const auto pre_run = p.snapshot();
  p.migration("20240102000000_more.sql", "alter table public.t add column v int;\n");
  int pid = p.spawn_migsafe({"run", "{pipeline}", "--db", "{db}"});
  REQUIRE(p.wait_for_query("pg_sleep(3)"));
  kill(pid, SIGKILL);
  Project::wait_migsafe(pid);
  usleep(1500 * 1000);
  CHECK(differences(pre_run, p.snapshot()) == "");
  CHECK(p.value("select count(*) from supabase_migrations.schema_migrations") == "1");
  auto next = p.migsafe({"run", "{pipeline}", "--db", "{db}"});
  INFO(next.err);
  CHECK(next.exit_code == 0);
}

TEST_CASE("kill -9 inside a file with a committed CREATE INDEX CONCURRENTLY: --resume goes on after the committed "
          "statement",
          "[faults]") {
  Project p("resume_concurrent_index");
  kill_inside_concurrent_indexes(p);
  auto resumed = p.migsafe({"run", "{pipeline}", "--db", "{db}", "--resume", "--json"});
  INFO(resumed.err);
  CHECK(resumed.exit_code == 0);
  CHECK(resumed.json()["warnings"].dump().find("20240102000000_indexes: resumed after statement 1") !=
        std::string::npos);
  CHECK(p.value("select count(*) from pg_index i join pg_class c on c.oid = i.indexrelid where c.relname in "
                "('t_a', 'u_b') and i.indisvalid") == "2");
  CHECK(p.value("select count(*) from pg_index where not indisvalid") == "0");
  CHECK(p.value("select count(*) from migsafe.migrations") == "2");
  CHECK(p.migsafe({"run", "{pipeline}", "--db", "{db}"}).exit_code == 0);  // nothing left to do, nothing stuck
}
