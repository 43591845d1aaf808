// Lock waits that never stall production: a migration statement that waits for a lock gives up after
// [safety] lock_timeout, is rolled back and retried with backoff, and says who blocked it. The proof
// is what a concurrent reader of the table sees: behind a waiting ALTER TABLE every reader queues,
// for one lock_timeout at most per try with migsafe, for as long as the blocker lives with `psql -1`.
#include <atomic>
#include <chrono>
#include <fstream>
#include <thread>

#include <catch2/catch.hpp>

#include "harness.hpp"
#include "util/process.hpp"

using migsafe::test::Project;
using migsafe::test::read_file;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto kHold = std::chrono::seconds(3);

// Reads the table in a loop on a session of its own until stopped; keeps the longest single wait.
class Reader {
 public:
  explicit Reader(const Project& p) : session_(p.session()), thread_([this] { loop(); }) {}
  ~Reader() { stop(); }
  long long stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    return longest_ms_;
  }
  int reads() const { return reads_; }

 private:
  void loop() {
    while (!stop_) {
      const auto start = Clock::now();
      session_->query("select count(*) from public.orders");
      const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
      longest_ms_ = std::max<long long>(longest_ms_, ms);
      ++reads_;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  std::unique_ptr<migsafe::pg::Session> session_;
  std::atomic<bool> stop_{false};
  std::atomic<long long> longest_ms_{0};
  std::atomic<int> reads_{0};
  std::thread thread_;
};

// A session that reads the table in an open transaction: its ACCESS SHARE lock conflicts with ALTER TABLE.
std::unique_ptr<migsafe::pg::Session> hold_table(const Project& p) {
  auto holder = p.session();
  holder->exec("set application_name = 'nightly report'");
  holder->exec("begin");
  holder->query("select count(*) from public.orders where id > 12345");
  return holder;
}

}  // namespace

TEST_CASE("a lock wait is retried with backoff instead of stalling readers, and the report names the blocker",
          "[impact][safety][lock_retry]") {
  Project p("lock_retry");
  p.pipeline(migsafe::test::default_pipeline_body() + "[safety]\nlock_timeout = \"200ms\"\nlock_retries = 50\n");
  p.migration("20240101000000_orders.sql",
              "create table public.orders (id int primary key, total int);\n"
              "insert into public.orders select g, g from generate_series(1, 1000) g;\n");
  REQUIRE(p.migsafe({"run", "{pipeline}", "--db", "{db}"}).exit_code == 0);
  p.migration("20240102000000_note.sql", "alter table public.orders add column note text;\n");

  // migsafe: the blocker holds its lock for kHold after the ALTER first waits.
  auto holder = hold_table(p);
  const int holder_pid = holder->backend_pid();
  const auto report_path = p.dir() / "report.json";
  const int pid = p.spawn_migsafe({"run", "{pipeline}", "--db", "{db}", "--report", report_path.string()});
  REQUIRE(p.wait_for_query("add column note"));
  Reader reader(p);
  std::this_thread::sleep_for(kHold);
  holder->exec("commit");
  const int exit_code = Project::wait_migsafe(pid);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const long long migsafe_longest = reader.stop();
  const std::string console = read_file(p.dir() / "spawned.out");
  INFO(console);
  REQUIRE(exit_code == 0);
  CHECK(p.value("select count(*) from information_schema.columns where table_name = 'orders' and column_name = 'note'") ==
        "1");

  const auto report = nlohmann::json::parse(read_file(report_path));
  const auto& waits = report["impact"]["lock_waits"];
  INFO(waits.dump(2));
  REQUIRE(waits.is_array());
  REQUIRE(waits.size() >= 1);
  bool named = false;
  for (const auto& w : waits) {
    CHECK(w["retried"] == true);
    CHECK(w["rolled_back"] == "the transaction");  // atomic mode: the whole transaction
    CHECK(w["file"].get<std::string>().find("20240102000000_note.sql") != std::string::npos);
    CHECK(w["backoff_ms"].get<long long>() > 0);
    for (const auto& b : w["blockers"]) {
      if (b["pid"] != holder_pid) continue;
      named = b["application_name"] == "nightly report" && b["state"] == "idle in transaction" &&
              !b["query_start"].get<std::string>().empty();
      // Redacted: the query's shape, not its literals.
      CHECK(b["query"].get<std::string>().find("public.orders") != std::string::npos);
      CHECK(b["query"].get<std::string>().find("12345") == std::string::npos);
    }
  }
  CHECK(named);
  CHECK(console.find("lock_timeout at") != std::string::npos);
  CHECK(console.find("nightly report") != std::string::npos);

  // The naive way, for comparison: psql -1 waits behind the blocker, and every reader behind it.
  const auto naive_sql = p.dir() / "naive.sql";
  {
    std::ofstream(naive_sql) << "alter table public.orders add column naive_note text;\n";
  }
  holder = hold_table(p);
  migsafe::util::ProcessResult psql;
  std::thread naive([&] {
    auto info = p.conninfo();
    migsafe::util::Command c;
    c.argv = {"psql", "-X", "-q", "-1", "-v", "ON_ERROR_STOP=1", "-d", info.get("dbname"), "-h", info.get("host"),
              "-p", info.get("port"), "-U", "postgres", "-f", naive_sql.string()};
    c.unset_env = {"PGDATABASE", "PGSERVICE", "PGHOSTADDR", "PGPASSWORD", "PGOPTIONS"};
    psql = migsafe::util::run_process(c);
  });
  const bool naive_waited = p.wait_for_query("add column naive_note");
  Reader naive_reader(p);
  std::this_thread::sleep_for(kHold);
  holder->exec("commit");
  naive.join();
  const long long naive_longest = naive_reader.stop();
  REQUIRE(naive_waited);
  REQUIRE(psql.ok());

  // Generous margins: a bound on what the reader waited, not on how fast migsafe is.
  INFO("longest read behind migsafe: " << migsafe_longest << " ms; behind psql -1: " << naive_longest << " ms");
  CHECK(reader.reads() > 0);
  CHECK(migsafe_longest < 1500);
  CHECK(naive_longest >= 2000);
}

TEST_CASE("without retries a lock wait fails the run at lock_timeout, rolled back, with the blocker reported",
          "[impact][safety][lock_retry]") {
  Project p("lock_retry_none");
  p.pipeline(migsafe::test::default_pipeline_body() + "[safety]\nlock_timeout = \"200ms\"\n");
  p.migration("20240101000000_orders.sql", "create table public.orders (id int primary key, total int);\n");
  REQUIRE(p.migsafe({"run", "{pipeline}", "--db", "{db}"}).exit_code == 0);
  p.migration("20240102000000_note.sql", "alter table public.orders add column note text;\n");
  auto holder = hold_table(p);
  const auto before = p.snapshot({"migsafe"});  // the ledger records the failed run; the rest must not change
  auto r = p.migsafe({"run", "{pipeline}", "--db", "{db}", "--json"});
  holder->exec("commit");
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK(migsafe::test::differences(before, p.snapshot({"migsafe"})) == "");
  const auto report = r.json();
  const auto& waits = report["impact"]["lock_waits"];
  REQUIRE(waits.size() == 1);
  CHECK(waits[0]["retried"] == false);
  CHECK(report["migrations"][0]["error"]["sqlstate"] == "55P03");
}
