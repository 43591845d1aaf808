// The object-level snapshots migsafe keeps in its ledger (`migsafe.schema_snapshots`): one after
// every successful run, `backup create`, `backup restore` and `drift --accept`, each the whole list
// of pg::snapshot_objects as jsonb {kind: {identity: definition}}, with its fingerprint (the hash of
// the same list). `drift` compares the live schemas with the newest baseline among them.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "pg/fingerprint.hpp"

namespace migsafe::pg {

class Session;

// Where a stored snapshot came from. Snapshots of a run, a restore and an accept are drift
// baselines; a backup's is kept for the record (a backup taken of a drifted database must not
// make the drift disappear).
inline constexpr const char* kSnapshotOfRun = "run";
inline constexpr const char* kSnapshotOfBackup = "backup";
inline constexpr const char* kSnapshotOfRestore = "restore";
inline constexpr const char* kSnapshotAccepted = "accept";

struct StoredSnapshot {
  long long id = 0;
  std::string taken_at;  // UTC, ISO 8601
  std::string source;    // run | backup | restore | accept
  std::string run_id, backup_id;
  std::vector<std::string> schemas;
  std::string fingerprint;  // "sha256:<hex>" of `objects`
  int fingerprint_version = kFingerprintVersion;
  std::vector<SchemaFact> objects;
};

// Stores `objects` (the current snapshot_objects of `schemas`) in the ledger, creating the table if
// the ledger exists without it; returns the fingerprint stored with them. Keeps the newest 20.
std::string store_snapshot(Session& session, const std::string& source, const std::string& run_id,
                           const std::string& backup_id, const std::vector<std::string>& schemas,
                           const std::vector<SchemaFact>& objects);

// Takes the live snapshot of `schemas` and stores it; a no-op returning "" when the database has no
// migsafe ledger (migsafe.runs) and `create_ledger` is false.
std::string store_live_snapshot(Session& session, const std::string& source, const std::string& run_id,
                                const std::string& backup_id, const std::vector<std::string>& schemas,
                                bool create_ledger = false);

// The newest drift baseline (a run's, a restore's or an accepted snapshot), or none. Throws
// migsafe::Error when its objects no longer hash to its stored fingerprint (the row was edited).
std::optional<StoredSnapshot> latest_baseline(Session& session);

// The snapshot stored when backup `backup_id` was taken, or none (taken before snapshots were
// stored, or pruned): explains object by object why a restore of it does not match.
std::optional<StoredSnapshot> snapshot_of_backup(Session& session, const std::string& backup_id);

}  // namespace migsafe::pg
