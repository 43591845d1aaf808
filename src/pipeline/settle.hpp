// The way out of a run that holds the lock, whatever ended it: a result, an exception, a signal or
// a lost connection. The status and exit code come from what is known about the database; then
// the after-run hook, the ledger row and the lock are settled, each on its own.
#pragma once

#include <exception>

#include "pipeline/context.hpp"

namespace migsafe::pipeline {

// How far a run got, for deciding what an exception means for the database.
enum class Stage {
  prepare,  // history, before hook, snapshot, backup: nothing changed yet
  change,   // migrations, checks, commit: the database may hold this run's changes
  done,     // committed and proven: the run succeeded whatever happens next
};

// Records `thrown` in the report and sets status and exit code for `stage`: refused (4, or 2/130
// as the error says) before any change; after one, the rollback or restore is run and verified
// (1 when verified, 130 for a signal when verified, else 3); once done, a warning.
void settle_exception(Context& context, Stage stage, const std::exception_ptr& thrown);

// Runs `on_success`/`on_failure` (when `with_hook`), writes the ledger row (reconnecting if the
// control session died; never left "running" while the server answers) and releases the run lock.
// Never throws: what fails becomes a warning in the report.
void finish_run(Context& context, bool with_hook);

}  // namespace migsafe::pipeline
