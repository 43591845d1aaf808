// Returning the database to its pre-run state after a failure, and proving it by fingerprint.
#pragma once

#include "pipeline/context.hpp"
#include "pipeline/migrate.hpp"

namespace migsafe::pipeline {

// Rolls back (nothing committed) or restores this run's backup (something committed), then
// compares the fingerprint with the pre-run snapshot. Sets report.restore, status and exit code:
// failed_restored (1) when verified, failed_unrestored (3) otherwise.
void recover(Context& context, const MigrateOutcome& outcome);

// Ends a successful dry run: rolls back, proves the fingerprint is unchanged, sets status dry_run
// (exit 0), or failed_unrestored (exit 3) if it somehow changed.
void end_dry_run(Context& context);

}  // namespace migsafe::pipeline
