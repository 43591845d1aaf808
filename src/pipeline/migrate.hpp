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
};

// Decides the mode: the pipeline's, or per-migration when a pending migration has a statement that
// cannot run in a transaction. Sets report.mode and report.mode_reason.
void choose_mode(Context& context);

// Applies the pending migrations. In atomic mode the transaction is left OPEN on success, so later
// checks run inside it; `finish_atomic` commits or rolls it back.
MigrateOutcome apply_migrations(Context& context);

// Commits (or, when `commit` is false, rolls back) the atomic transaction.
void finish_atomic(Context& context, bool commit);

}  // namespace migsafe::pipeline
