// `plan --analyze`, shared by the plan command (which parses it) and the run command (which runs it).
#pragma once

#include <string>

#include "cli/console.hpp"
#include "cli/target.hpp"

namespace migsafe::cli {

// Applies the pending migrations (and checks) in one transaction that is rolled back, like
// `run --dry-run --no-backup`, reports as `plan`, and prints each statement's measured locks and
// rewrites and the lock-impact findings. Returns the exit code.
int analyze_plan(const std::string& pipeline, const TargetOptions& target, const std::string& report_file,
                 const Console& console);

}  // namespace migsafe::cli
