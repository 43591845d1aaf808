// The `migsafe backup` commands that touch a database or a backup's contents: create, restore,
// verify (with restore drills) and decrypt. The store's bookkeeping (list, show, prune, pin,
// health) needs no engine and lives in src/backup/.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "backup/drill.hpp"
#include "backup/key.hpp"
#include "backup/store.hpp"
#include "pipeline/context.hpp"

namespace migsafe::pipeline {

// `backup create`: connects, takes the run lock, tags a "manual" backup with the database's current
// migration version, then prunes. Fills context.report.backup.
backup::Manifest create_backup(Context& context, const std::string& tag_note);

// `backup restore`: checks the backup whole (checksum, key, decryption, pg_restore --list; any
// problem is Error(Exit::refused) before the database is touched), asks `confirm` (false:
// Error(Exit::refused)), takes a "safety" backup of the current state, then returns the owned
// schemas and both history tables to the backup's state, verified by its schema fingerprint. A
// restore that fails or cannot be verified is Error(Exit::failed_unrestored).
void restore_from_backup(Context& context, const backup::StoredBackup& stored,
                         const std::function<bool()>& confirm);

// The outcome of verifying one backup.
struct VerifyOutcome {
  std::string backup_id;                     // the backup verified
  bool ok = false;                           // every check passed
  std::string error;                         // why it failed, or empty
  long long duration_ms = 0;                 // checksum + decryption + pg_restore --list
  std::optional<backup::DrillResult> drill;  // when a restore drill ran
};

// Verifies `stored` (and drills it on `drill_server`'s server when given), records the outcome in
// its manifest (status, verified_at, restore_drill) and returns it. `tests` runs the pipeline's
// verification tests in the drill's scratch database (may be null).
VerifyOutcome verify_backup(const config::Pipeline& pipeline, const backup::StoredBackup& stored,
                            const std::optional<backup::EncryptionKey>& key,
                            const pg::ConnInfo* drill_server, const backup::DrillTests& tests);

// `backup decrypt`: writes the decrypted data file of `stored` (still zstd-compressed if it was) to
// `output` ("-": stdout), after checking the key; the checksum is checked as the file is read and
// a mismatch leaves no output file. Errors are Error(Exit::refused).
void decrypt_backup(const backup::StoredBackup& stored,
                    const std::optional<backup::EncryptionKey>& key, const std::string& output);

// Stores context.before (the snapshot the backup `backup_id` was taken at) in the ledger, when the
// database has one; a failure is a warning.
void record_backup_snapshot(Context& context, const std::string& backup_id);

// The key for this run's own backup (context.report.backup), or "" when it is not encrypted: what
// a restore of it needs (backup::RestoreRequest::key).
std::string run_backup_key(const Context& context);

}  // namespace migsafe::pipeline
