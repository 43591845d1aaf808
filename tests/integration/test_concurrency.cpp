// Runs on one database are serialised by an advisory lock: every version is applied exactly once.
#include <catch2/catch.hpp>

#include <future>
#include <set>

#include "harness.hpp"

using migsafe::test::Project;

TEST_CASE("four concurrent runs apply every version exactly once", "[concurrency]") {
  Project p("concurrent_runs");
  p.pipeline(migsafe::test::pipeline_body_with("lock_wait = \"2s\"", "lock_wait = \"30s\""));
  p.migration("20240101000000_slow.sql", "create table public.t (id int);\nselect pg_sleep(1);\n");
  p.migration("20240102000000_more.sql", "insert into public.t values (1);\n");

  std::vector<std::future<migsafe::test::Outcome>> runs;
  for (int i = 0; i < 4; ++i) {
    runs.push_back(std::async(std::launch::async, [&] { return p.migsafe({"run", "{pipeline}", "--db", "{db}", "--json"}); }));
  }
  std::multiset<std::string> statuses;
  for (auto& run : runs) {
    auto r = run.get();
    INFO(r.err);
    CHECK(r.exit_code == 0);
    statuses.insert(r.json()["status"].get<std::string>());
  }
  CHECK(statuses == std::multiset<std::string>{"nothing_to_do", "nothing_to_do", "nothing_to_do", "succeeded"});
  CHECK(p.value("select count(*) from supabase_migrations.schema_migrations") == "2");
  CHECK(p.value("select count(*) from public.t") == "1");
}

TEST_CASE("a run that cannot get the lock in time refuses with exit 4 naming the holder", "[concurrency]") {
  Project p("lock_held");
  p.pipeline();
  p.migration("20240101000000_a.sql", "create table public.a (id int);\n");
  auto holder = p.session();
  holder->exec("set application_name = 'migsafe run 20240101T000000Z-abcdef on ci-runner-7'");
  holder->query("select pg_advisory_lock(" + std::to_string(0x6d696773616665LL) + ")");
  auto r = p.migsafe({"run", "{pipeline}", "--db", "{db}"});
  CHECK(r.exit_code == 4);
  CHECK(r.err.find("another migsafe run holds the lock") != std::string::npos);
  CHECK(r.err.find("ci-runner-7") != std::string::npos);
  CHECK(p.value("select to_regclass('public.a') is null") == "t");
}
