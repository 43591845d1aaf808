// `backup create` and `backup restore`: the engine's steps (connect, lock, snapshot, backup,
// restore) in the order a careful person would run them by hand.
#include "pipeline/backup_commands.hpp"

#include "pg/history.hpp"

#include "backup/dump.hpp"
#include "backup/restore.hpp"
#include "core/error.hpp"
#include "pg/run_lock.hpp"
#include "pg/schema_snapshots.hpp"
#include "pg/tools.hpp"
#include "pipeline/backup_step.hpp"
#include "pipeline/connect.hpp"

namespace migsafe::pipeline {
namespace {

// Connects, takes the run lock and reads the current migration version.
void open_locked(Context& context) {
  connect(context, false);
  take_run_lock(context);
  StepTimer step(context, "history");
  context.history = pg::read_history(*context.control);
  context.state.current_version = context.history.current_version();
  context.report.from_version = context.state.current_version;
  step.ok("database at version " + context.state.current_version);
}

// Checks the backup whole before anything is touched (as `verify` does); any problem refuses.
void check_before_restore(Context& context, const backup::StoredBackup& stored,
                          const std::optional<backup::EncryptionKey>& key) {
  StepTimer step(context, "verify");
  const auto& m = stored.manifest;
  if (m.schema_fingerprint.empty()) {
    throw Error(
        Exit::refused,
        m.backup_id +
            ": the manifest records no schema fingerprint, so a restore could not be verified");
  }
  if (!pg::fingerprint_version_known(m.fingerprint_version)) {
    throw Error(Exit::refused, m.backup_id + ": its schema fingerprint is version " +
                                   std::to_string(m.fingerprint_version) +
                                   ", which this migsafe cannot compute; use the migsafe that made it");
  }
  VerifyOutcome outcome = verify_backup(context.pipeline, stored, key, nullptr, nullptr);
  if (!outcome.ok)
    throw Error(Exit::refused, "refusing to restore; nothing was changed: " + outcome.error);
  step.ok(m.backup_id + ": checksum, " + (key ? "key, decryption, " : "") + "pg_restore --list");
}

void safety_backup(Context& context) {
  take_snapshot(context);
  StepTimer step(context, "safety backup");
  context.report.to_version = context.state.current_version;
  backup::Manifest safety = write_backup(context, "safety");
  context.report.backup = safety.to_json();
  step.ok(safety.backup_id + " (restore it to undo this restore)");
}

void restore_step(Context& context, const backup::StoredBackup& stored, const std::string& key) {
  StepTimer step(context, "restore");
  const auto& p = context.pipeline;
  backup::RestoreRequest request;
  request.target = context.target;
  request.pg_restore_path = pg::find_pg_tool("pg_restore", server_major(context), bin_dir(p), 3);
  request.psql_path = pg::find_pg_tool("psql", server_major(context), bin_dir(p), 3);
  request.data_file = stored.data_path();
  request.compression = stored.manifest.compression;
  request.key = key;
  request.schemas = p.database.schemas;
  request.expected_fingerprint = stored.manifest.schema_fingerprint;
  request.fingerprint_version = stored.manifest.fingerprint_version;
  try {
    for (const auto& note : backup::restore_owned_schemas(*context.control, request).notes) context.note(note);
  } catch (const std::exception& e) {
    throw Error(Exit::failed_unrestored,
                "restore of " + stored.manifest.backup_id +
                    " failed; its transaction was rolled back: " + e.what());
  }
  step.ok(stored.manifest.backup_id + " restored in one transaction");
}

// What differs after the restore, object by object, from the snapshot stored with the backup
// (when the ledger still has it).
void explain_restore(Context& context, const std::string& backup_id, const pg::Fingerprint& after,
                     report::Restore& restore) {
  try {
    auto expected = pg::snapshot_of_backup(*context.control, backup_id);
    if (!expected || expected->fingerprint_version != after.version) return;
    pg::Fingerprint before;
    before.facts = expected->objects;
    for (auto& line : pg::fingerprint_differences(before, after)) restore.differences.push_back(line);
  } catch (const std::exception& e) {
    restore.differences.push_back(std::string("(the differences could not be listed: ") + e.what() + ")");
  }
}

void check_after_restore(Context& context, const backup::StoredBackup& stored) {
  StepTimer step(context, "check");
  pg::Fingerprint after = pg::take_fingerprint(*context.control, context.pipeline.database.schemas,
                                               stored.manifest.fingerprint_version);
  report::Restore restore;
  restore.method = "pg_restore";
  restore.fingerprint_before = stored.manifest.schema_fingerprint;
  restore.fingerprint_after = after.hash;
  restore.verified = after.hash == stored.manifest.schema_fingerprint;
  if (!restore.verified) explain_restore(context, stored.manifest.backup_id, after, restore);
  context.report.restore = restore;
  if (!restore.verified) {
    throw Error(Exit::failed_unrestored, "after the restore the schema fingerprint is " +
                                             after.hash + ", not the backup's " +
                                             stored.manifest.schema_fingerprint);
  }
  step.ok("fingerprint equal to the backup's (" + after.hash.substr(0, 19) + "...)");
  // The restored state is what migsafe made: the baseline `drift` compares with from now on (when
  // the database has a ledger; a restore does not create one).
  try {
    pg::store_live_snapshot(*context.control, pg::kSnapshotOfRestore, "", stored.manifest.backup_id,
                            context.pipeline.database.schemas);
  } catch (const std::exception& e) {
    context.report.warnings.push_back(std::string("the restored schema snapshot could not be stored: ") + e.what());
  }
}

}  // namespace

void record_backup_snapshot(Context& context, const std::string& backup_id) {
  if (context.before.version != pg::kFingerprintVersion) return;
  try {
    if (context.control->query("select to_regclass('migsafe.runs') is not null").scalar() != "t") return;
    pg::store_snapshot(*context.control, pg::kSnapshotOfBackup, context.report.run_id, backup_id,
                       context.pipeline.database.schemas, context.before.facts);
  } catch (const std::exception& e) {
    context.report.warnings.push_back("the schema snapshot of backup " + backup_id + " could not be stored: " + e.what());
  }
}

backup::Manifest create_backup(Context& context, const std::string& tag_note) {
  open_locked(context);
  take_snapshot(context);
  backup::Manifest m;
  {
    StepTimer step(context, "backup");
    context.report.to_version = context.state.current_version;
    std::string timings;
    m = write_backup(context, "manual", tag_note, &timings);
    context.report.backup = m.to_json();
    record_backup_snapshot(context, m.backup_id);
    step.ok(m.backup_id + ", " + std::to_string(m.bytes) + " bytes," +
            (m.encryption.is_null()
                 ? ""
                 : " encrypted with key " + m.encryption["key_id"].get<std::string>() + ",") +
            " verified (" + timings + ")");
  }
  pg::release_run_lock(*context.control);
  prune_backups(context);
  return m;
}

void restore_from_backup(Context& context, const backup::StoredBackup& stored,
                         const std::function<bool()>& confirm) {
  std::optional<backup::EncryptionKey> loaded = backup::load_key(context.pipeline.backup);
  std::string key = backup::key_for(stored.manifest.encryption, loaded, stored.manifest.backup_id);
  check_before_restore(context, stored, loaded);
  if (!confirm()) throw Error(Exit::refused, "restore not confirmed; nothing was changed");
  open_locked(context);
  safety_backup(context);
  restore_step(context, stored, key);
  check_after_restore(context, stored);
  // The restore replaced what any interrupted run left: the next run starts from the backup.
  pg::close_interrupted_runs(*context.control, "superseded by the restore of " + stored.manifest.backup_id);
  context.report.to_version = stored.manifest.migration_version;
  pg::release_run_lock(*context.control);
}

std::string run_backup_key(const Context& context) {
  const auto& backup = context.report.backup;
  if (!backup.is_object() || !backup.contains("encryption")) return "";
  return backup::key_for(backup["encryption"], backup::load_key(context.pipeline.backup),
                         backup.value("backup_id", std::string()));
}

}  // namespace migsafe::pipeline
