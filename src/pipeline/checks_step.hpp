// The verify and rls steps: pgTAP files, SQL assertions and the row-loss guard; RLS lints, cases
// and the default-deny check. In an atomic run they run inside the migration transaction, so a
// failing check rolls everything back; `migsafe test` and `migsafe rls` run them alone.
#pragma once

#include <string>

#include "pipeline/context.hpp"

namespace migsafe::pipeline {

// Whether the checks passed, and why not.
struct ChecksOutcome {
  bool ok = true;
  std::vector<std::string> failures;  // one line per failed check
};

// Runs the pgTAP files and assertions (and, when `rows_before` is known, the row-loss guard) on
// context.work; fills report.tests and report.verify.
ChecksOutcome run_verify(Context& context, bool inside_transaction, bool with_row_guard);

// Runs the RLS lints, cases and default-deny check on context.work; fills report.rls.
ChecksOutcome run_rls(Context& context, bool inside_transaction);

// True when the pipeline has any verification check configured.
bool has_verify_checks(const config::Pipeline& pipeline);

}  // namespace migsafe::pipeline
