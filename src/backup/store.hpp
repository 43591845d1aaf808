// The backup directory as a store: every manifest in it, found by id or tag, pinned, pruned.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "backup/manifest.hpp"

namespace migsafe::backup {

// One backup in the store.
struct StoredBackup {
  Manifest manifest;                    // as read
  std::filesystem::path manifest_path;  // `<dir>/<id>.json`
  // The data file beside the manifest.
  std::filesystem::path data_path() const { return manifest_path.parent_path() / manifest.file; }
  // True when the backup is encrypted.
  bool encrypted() const { return !manifest.encryption.is_null(); }
  // True when the manifest says it was verified.
  bool verified() const { return manifest.status == "verified"; }
};

// Every backup in a directory, newest first.
struct Store {
  std::filesystem::path dir;          // the backup directory
  std::vector<StoredBackup> backups;  // newest first (created_at, then backup_id)
  std::vector<std::string> problems;  // manifests that could not be read, one line each
};

// Reads every `*.json` manifest in `dir` (a missing directory is an empty store).
Store read_store(const std::filesystem::path& dir);

// The backup with `id`, or the newest verified (else newest) one whose migration_version is `tag`.
// Exactly one of `id` and `tag` must be given. Throws Error(Exit::usage) naming what was asked for
// and what the store holds when none matches.
const StoredBackup& find_backup(const Store& store, const std::string& id, const std::string& tag);

// What `prune` removes: backups beyond the newest `keep_last` AND older than `max_age_days` days,
// except pinned ones and the newest verified one. Newest first.
std::vector<const StoredBackup*> prune_candidates(const Store& store, int keep_last,
                                                  int max_age_days,
                                                  std::chrono::system_clock::time_point now);

// Removes a backup's data file, schema snapshot and, last, its manifest.
void remove_backup(const StoredBackup& backup);

// `created_at` ("2024-05-01T12:00:00Z") as a time point; throws std::runtime_error if malformed.
std::chrono::system_clock::time_point parse_created_at(const std::string& created_at);

// "sha256:<hex>" of the file at `path`; throws std::runtime_error naming it when unreadable.
std::string file_checksum(const std::filesystem::path& path);

}  // namespace migsafe::backup
