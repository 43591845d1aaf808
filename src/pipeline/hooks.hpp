// The pipeline's `[hooks]`: user shell commands run before a run and after it (maintenance mode,
// notifications). Each gets the run's facts in its environment, a timeout, and its output recorded.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "report/report.hpp"

namespace migsafe::pipeline {

// What one hook did; it goes into the report's `hooks[]`.
struct HookResult {
  std::string name;           // before | on_success | on_failure
  std::string command;        // the shell command as configured
  int exit_code = -1;         // its exit status, or -1 when killed by a signal or not started
  bool timed_out = false;     // killed because it ran longer than its timeout
  std::string output;         // stdout and stderr interleaved, at most kHookOutputCap bytes
  long long duration_ms = 0;  // wall time
  // True when it exited with status 0 in time.
  bool ok() const { return exit_code == 0 && !timed_out; }
  // The report's JSON object for this hook.
  nlohmann::json to_json() const;
};

// How much of a hook's output is kept; the rest is counted and dropped.
constexpr size_t kHookOutputCap = 64 * 1024;

// Runs `/bin/sh -c command` in `cwd` (empty: ours) with `env` added to our environment, stdin
// from /dev/null; kills its process group after `timeout`. Never throws for the hook's own
// failure (non-zero exit, timeout, shell missing): the result says what happened.
HookResult run_hook(const std::string& name, const std::string& command,
                    std::chrono::milliseconds timeout,
                    const std::vector<std::pair<std::string, std::string>>& env,
                    const std::string& cwd);

// The environment a hook gets from the run so far: MIGSAFE_STATUS (`running` before the outcome is
// known), MIGSAFE_EXIT_CODE, MIGSAFE_BACKUP_ID, MIGSAFE_FROM_VERSION, MIGSAFE_TO_VERSION,
// MIGSAFE_REPORT (`report_file`, may be empty), MIGSAFE_PIPELINE, MIGSAFE_RUN_ID, MIGSAFE_DRY_RUN.
std::vector<std::pair<std::string, std::string>> hook_environment(const report::Report& report,
                                                                  const std::string& report_file);

}  // namespace migsafe::pipeline
