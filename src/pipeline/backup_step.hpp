// The snapshot and backup steps: what the database looks like before anything changes, and a
// verified, tagged backup to return to.
#pragma once

#include "pipeline/context.hpp"

namespace migsafe::pipeline {

// Records the schema fingerprint and row counts of the owned schemas (context.before, rows_before).
void take_snapshot(Context& context);

// Dumps, verifies and tags the backup; fills report.backup with its manifest. Any failure is
// Error(Exit::refused): no verified backup, no migration.
void take_backup(Context& context);

// The major version of the connected server (e.g. 15).
int server_major(const Context& context);

}  // namespace migsafe::pipeline
