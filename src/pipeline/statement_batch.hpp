// How a migration's statements reach the server: in batches of one round trip each (libpq's
// pipeline mode), each statement followed by a read of the locks it took (when one is due) or of
// the server's clock (to time it), and the migration's history rows and session reset riding with
// its last statement.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/context.hpp"
#include "pipeline/migration_source.hpp"

namespace migsafe::pipeline {

// BEGIN, then the pipeline's lock_timeout and statement_timeout for the transaction (SET LOCAL).
std::vector<std::string> begin_statements(const config::Pipeline& p);
// The pipeline's lock_timeout and statement_timeout for the session (SET), outside a transaction.
std::string set_timeouts_sql(const config::Pipeline& p);

// Runs the statements of `file` (a dry run leaves out those that cannot run in a transaction) in
// the open transaction, then, in the round trip of the last, records the migration in history and
// resets the session (see record_migration); if a later check fails the migration, its transaction
// is rolled back, rows and all. `started`: when the migration began, for the ledger's duration.
// Returns the error, located in the file, if a statement fails. `ends_transaction`: the last
// statement is read for locks whatever the plan (see impact::Recorder::plan_reads). `opening`:
// statements to run first, in the same round trip: the BEGIN of the migration's own transaction,
// when the session is not in one yet; an error there is thrown.
std::optional<report::MigrationError> run_statements(Context& context, const config::MigrationFile& file,
                                                     const SplitMigration& split, bool ends_transaction,
                                                     std::chrono::steady_clock::time_point started,
                                                     const std::vector<std::string>& opening = {});

// Records `file` as applied, taking `duration_ms`, in a round trip of its own (for a migration whose
// statements committed one by one): gives the session back its own role (a migration's `set role`
// must not write the ledger row), writes the history rows, then resets the session's settings to
// the pipeline's (a migration's `search_path` or `set_config(..., false)` must not outlive it).
void record_migration(Context& context, const config::MigrationFile& file, const SplitMigration& split,
                      long long duration_ms);

}  // namespace migsafe::pipeline
