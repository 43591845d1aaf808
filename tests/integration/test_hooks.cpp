// Hooks as the run starts them: `/bin/sh -c` with the run's facts in the environment, output of
// both streams captured (and capped), a timeout that kills the hook and everything it started.
#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <string>
#include <thread>

#include "pipeline/hooks.hpp"
#include "util/temp_dir.hpp"

using migsafe::pipeline::HookResult;
using migsafe::pipeline::run_hook;
using namespace std::chrono_literals;

namespace {

// True while `pid` exists and is not a zombie.
bool process_alive(const std::string& pid) {
  std::ifstream stat("/proc/" + pid + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return false;
  auto paren = line.rfind(')');
  return paren != std::string::npos && line.size() > paren + 2 && line[paren + 2] != 'Z';
}

bool dies_within(const std::string& pid, std::chrono::milliseconds limit) {
  auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (!process_alive(pid)) return true;
    std::this_thread::sleep_for(20ms);
  }
  return false;
}

}  // namespace

TEST_CASE("a hook receives the run's environment and runs in the given directory", "[hooks]") {
  migsafe::util::TempDir dir("migsafe-hook-");
  HookResult r = run_hook(
      "on_success", "echo \"$MIGSAFE_STATUS $MIGSAFE_EXIT_CODE $MIGSAFE_BACKUP_ID\"; pwd", 10s,
      {{"MIGSAFE_STATUS", "succeeded"}, {"MIGSAFE_EXIT_CODE", "0"}, {"MIGSAFE_BACKUP_ID", "b1"}},
      dir.path().string());
  CHECK(r.ok());
  CHECK(r.exit_code == 0);
  CHECK(r.name == "on_success");
  CHECK(r.output == "succeeded 0 b1\n" + dir.path().string() + "\n");
}

TEST_CASE("a hook's stdout and stderr are captured in order", "[hooks]") {
  HookResult r = run_hook("before", "echo one; echo two >&2; echo three", 10s, {}, "");
  CHECK(r.output == "one\ntwo\nthree\n");
  auto j = r.to_json();
  CHECK(j["output"] == "one\ntwo\nthree\n");
  CHECK(j["exit_code"] == 0);
  CHECK(j["timed_out"] == false);
  CHECK(j["command"] == "echo one; echo two >&2; echo three");
}

TEST_CASE("a failing hook reports its exit status", "[hooks]") {
  HookResult r = run_hook("before", "echo 'maintenance mode unavailable' >&2; exit 3", 10s, {}, "");
  CHECK_FALSE(r.ok());
  CHECK(r.exit_code == 3);
  CHECK_FALSE(r.timed_out);
  CHECK(r.output == "maintenance mode unavailable\n");
}

TEST_CASE("a hook that outlives its timeout is killed with everything it started", "[hooks]") {
  migsafe::util::TempDir dir("migsafe-hook-");
  auto start = std::chrono::steady_clock::now();
  HookResult r = run_hook("on_failure", "sleep 30 & echo $! > child.pid; echo started; wait", 500ms,
                          {}, dir.path().string());
  auto took = std::chrono::steady_clock::now() - start;
  CHECK(r.timed_out);
  CHECK_FALSE(r.ok());
  CHECK(took < 10s);
  CHECK(r.duration_ms >= 400);
  CHECK(r.output.find("started\n") == 0);
  CHECK(r.output.find("timed out after 500 ms") != std::string::npos);
  std::string pid;
  std::ifstream(dir.path() / "child.pid") >> pid;
  REQUIRE_FALSE(pid.empty());
  CHECK(dies_within(pid, 5s));
}

TEST_CASE("a hook's output is capped and the rest counted", "[hooks]") {
  HookResult r = run_hook("before", "head -c 200000 /dev/zero | tr '\\0' x", 20s, {}, "");
  CHECK(r.ok());
  CHECK(r.output.size() < migsafe::pipeline::kHookOutputCap + 200);
  CHECK(r.output.find(std::string(1000, 'x')) == 0);
  CHECK(r.output.find(std::to_string(200000 - migsafe::pipeline::kHookOutputCap) +
                      " more bytes of output not kept") != std::string::npos);
}

TEST_CASE("a hook whose directory is missing fails without throwing", "[hooks]") {
  HookResult r = run_hook("before", "true", 5s, {}, "/nonexistent/migsafe-hook-dir");
  CHECK_FALSE(r.ok());
  CHECK(r.exit_code == 127);
}

TEST_CASE("the hook environment carries the run's facts", "[hooks]") {
  migsafe::report::Report report;
  report.pipeline = "deploy";
  report.run_id = "r1";
  report.from_version = "1";
  report.to_version = "2";
  report.backup = {{"backup_id", "b1"}};
  auto env = migsafe::pipeline::hook_environment(report, "/tmp/report.json");
  HookResult r = run_hook("before",
                          "env | grep -E "
                          "'^MIGSAFE_(STATUS|EXIT_CODE|BACKUP_ID|FROM_VERSION|TO_VERSION|REPORT|"
                          "PIPELINE|RUN_ID|DRY_RUN)=' "
                          "| sort",
                          10s, env, "");
  CHECK(r.output ==
        "MIGSAFE_BACKUP_ID=b1\nMIGSAFE_DRY_RUN=false\nMIGSAFE_EXIT_CODE=0\nMIGSAFE_FROM_VERSION=1\n"
        "MIGSAFE_PIPELINE=deploy\nMIGSAFE_REPORT=/tmp/"
        "report.json\nMIGSAFE_RUN_ID=r1\nMIGSAFE_STATUS=running\n"
        "MIGSAFE_TO_VERSION=2\n");
}

TEST_CASE("a hook that closes its output and keeps running is still stopped at its timeout",
          "[hooks]") {
  auto start = std::chrono::steady_clock::now();
  HookResult r = run_hook("before", "exec >/dev/null 2>&1; sleep 30", 300ms, {}, "");
  CHECK(r.timed_out);
  CHECK(std::chrono::steady_clock::now() - start < 10s);
}
