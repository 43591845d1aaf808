// Returns the owned schemas and the migration history to a backup's state, in ONE transaction
// that is committed only when the restored schema's fingerprint equals the backup's: a restore
// that fails, or does not come out exactly right, leaves the database as it was. What depends on
// the owned schemas from outside keeps its definition and data; after a failed run, what the run
// changed outside them is undone, and whatever could not be is named (backup/restore.cpp).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "pg/conninfo.hpp"

namespace migsafe::pg {
class Session;
struct OutsideSnapshot;
}

namespace migsafe::backup {

// What to restore, from where, and what it must come out as.
struct RestoreRequest {
  pg::ConnInfo target;
  std::string pg_restore_path, psql_path;
  std::filesystem::path data_file;     // the archive as stored
  std::string compression;             // "zstd" | "none"
  std::string key;                     // AES-256-GCM key of an encrypted file; empty: not encrypted
  std::vector<std::string> schemas;    // the owned schemas
  std::string expected_fingerprint;    // "sha256:..." from the backup's manifest
  int fingerprint_version = 1;         // the version it was computed with
  // After a failed run: everything outside the owned schemas as it was before the run (null for
  // `backup restore`, which only brings back what its own drop takes from outside).
  const pg::OutsideSnapshot* outside_before = nullptr;
  std::string run_id;                  // the failed run: rows its transactions wrote are its own
};

// What a restore did beyond the owned schemas, and what it could not undo.
struct RestoreOutcome {
  std::vector<std::string> notes;      // "storage.buckets rows put back", "policy ... dropped", ...
  std::vector<std::string> leftovers;  // differences from `outside_before` after the restore
};

// Restores; throws std::runtime_error with the cause (psql's error, fingerprint mismatch) when
// the database could not be restored, in which case nothing was changed. `session` plans the
// restore (and compares the outside afterwards); it must not be inside a transaction. Leftovers
// outside the owned schemas do not throw: the restore is committed and the caller reports them.
RestoreOutcome restore_owned_schemas(pg::Session& session, const RestoreRequest& request);

}  // namespace migsafe::backup
