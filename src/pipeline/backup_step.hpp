// The snapshot and backup steps: what the database looks like before anything changes, and a
// verified, tagged backup to return to.
#pragma once

#include "backup/manifest.hpp"
#include "pipeline/context.hpp"

namespace migsafe::pipeline {

// Records the schema fingerprint and row counts of the owned schemas (context.before, rows_before)
// and, with `outside` (a run that may have to restore), what lies outside them (outside_before).
void take_snapshot(Context& context, bool outside = false);

// Dumps, verifies and tags the backup; fills report.backup with its manifest. Any failure is
// Error(Exit::refused): no verified backup, no migration.
void take_backup(Context& context);

// Dumps `context.target` (encrypted when the pipeline names a key), verifies it, writes its
// manifest of `kind` ("pre-run" | "manual" | "safety") tagged with context.state.current_version
// and the snapshot in context.before, then runs `[backup.copy]`. Sets context.backup_file. Failures
// are Error(Exit::refused); a missing or malformed key is Error(Exit::usage). `timings`, if given,
// receives "dump N ms, verify M ms".
backup::Manifest write_backup(Context& context, const std::string& kind,
                              const std::string& tag_note = "", std::string* timings = nullptr);

// Applies backup.keep_last / backup.max_age_days to the store (never the newest verified or pinned
// backups) as a step named "prune"; call after a successful run. Problems become report warnings.
void prune_backups(Context& context);

// The major version of the connected server (e.g. 15).
int server_major(const Context& context);

// database.pg_bin_dir as a string, or "" (look in Debian's directories and PATH).
std::string bin_dir(const config::Pipeline& pipeline);

}  // namespace migsafe::pipeline
