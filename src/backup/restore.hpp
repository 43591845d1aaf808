// Returns the owned schemas and the migration history to a backup's state, in ONE transaction
// that is committed only when the restored schema's fingerprint equals the backup's: a restore
// that fails, or does not come out exactly right, leaves the database as it was.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "pg/conninfo.hpp"

namespace migsafe::pg {
class Session;
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
};

// Restores; throws std::runtime_error with the cause (psql's error, fingerprint mismatch) when
// the database could not be restored, in which case nothing was changed.
// `session` is used to find objects outside the owned schemas that depend on them.
void restore_owned_schemas(pg::Session& session, const RestoreRequest& request);

}  // namespace migsafe::backup
