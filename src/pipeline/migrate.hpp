// The migrate step: applies the pending migrations, in one transaction (atomic mode) or one
// transaction per migration (per-migration mode, or when a statement cannot run in a transaction).
#pragma once

#include <functional>

#include "pipeline/context.hpp"

namespace migsafe::pipeline {

// How the migrate step ended.
struct MigrateOutcome {
  bool ok = true;             // every pending migration applied (atomic: and still uncommitted)
  bool committed_any = false; // something of this run is committed (needs pg_restore on failure)
  std::string failure;        // why it failed, for the report's errors
  bool dry_run_stopped = false;  // a dry run stopped at a commit point: later migrations and checks not tried
};

// Decides the mode: the pipeline's, or per-migration when a pending migration has a statement that
// cannot run in a transaction. An atomic run gets its commit points (pipeline/commit_points.hpp)
// marked on the migrations they follow. Sets report.mode and report.mode_reason.
void choose_mode(Context& context);

// Applies the pending migrations. In atomic mode the transaction is left OPEN on success, so later
// checks run inside it; `finish_atomic` commits or rolls it back. At a commit point it commits and
// opens a new one (outcome.committed_any, so a later failure restores the backup).
MigrateOutcome apply_migrations(Context& context);

// Commits (or, when `commit` is false, rolls back) the atomic transaction.
void finish_atomic(Context& context, bool commit);

}  // namespace migsafe::pipeline
