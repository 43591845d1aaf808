// The manifest beside each backup (`<dir>/<backup_id>.json`): what was dumped, from where, and how
// to check and restore it. Field names are the contract's (shared/CONTRACT.md, "Backups").
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

namespace migsafe::backup {

// One backup's manifest. Empty optional strings are written as null.
struct Manifest {
  std::string backup_id;             // `<UTC YYYYMMDDTHHMMSSZ>_<database>_v<migration_version>`
  std::string created_at;            // ISO-8601 UTC, e.g. "2024-05-01T12:00:00Z"
  std::string migration_version;     // the version a restore returns to; "0" before any migration
  std::string target_version;        // the version the run was heading for
  std::string pipeline;              // the pipeline that took it
  std::string git_sha;               // the commit of the migrations
  std::string database;              // database name
  std::string server_version;        // server_version of the source server
  std::string format = "custom";     // pg_dump format
  std::string compression = "zstd";  // layer migsafe added: "zstd" or "none"
  std::string file;                  // data file name, relative to the manifest's directory
  uint64_t bytes = 0;                // size of the data file as stored
  std::string checksum;              // "sha256:<hex>" of the data file as stored
  nlohmann::json encryption;         // null: not encrypted
  long long duration_ms = 0;         // time taken to dump and verify
  std::string schema_fingerprint;    // fingerprint of the schema at dump time
  int fingerprint_version = 1;       // the fingerprint's catalog query (absent in old manifests: 1)
  std::map<std::string, long long> row_counts;  // table -> rows at dump time
  std::string schema_file;  // schema-only SQL snapshot, relative to the manifest's directory
  std::string status = "unverified";  // "verified" | "unverified" | "failed"
  std::string kind = "pre-run";       // "pre-run" | "manual" | "safety"
  std::string run_id;                 // the run that took it
  std::string migsafe_version;        // the migsafe that wrote it
  bool pinned = false;                // `backup pin`: never pruned
  std::string tag_note;               // `backup create --tag-note`
  std::string verified_at;       // when `backup verify` last checked it (ISO-8601 UTC), or empty
  nlohmann::json copy;           // outcome of `[backup.copy]`, or null
  nlohmann::json remote;         // the off-site copy (`[backup.remote]`): url, key, status, ...; or null
  nlohmann::json restore_drill;  // outcome of the last restore drill, or null
  nlohmann::json files;          // directory format: file name -> "sha256:<hex>"; else null
  nlohmann::json original = nlohmann::json::object();  // as read, so fields unknown to us survive

  // The manifest as JSON: what was read, with every known field replaced by its current value.
  nlohmann::json to_json() const;
  // Reads a manifest; `origin` (usually the file) names where it came from in errors. Throws
  // std::runtime_error naming the origin and the field that is missing or wrong.
  static Manifest from_json(const nlohmann::json& json, const std::string& origin);
};

// Reads and checks the manifest at `path`; throws std::runtime_error naming the file and the
// problem.
Manifest load_manifest(const std::filesystem::path& path);
// Writes `manifest` to `path` atomically, readable by its owner alone (0600).
void save_manifest(const std::filesystem::path& path, const Manifest& manifest);

// `<UTC YYYYMMDDTHHMMSSZ>_<database>_v<version>`, with characters other than [A-Za-z0-9_-] in the
// database name (and other than [A-Za-z0-9._-] in the version) replaced by '_'.
std::string make_backup_id(std::chrono::system_clock::time_point when, const std::string& database,
                           const std::string& version);
// `when` as ISO-8601 UTC to the second ("2024-05-01T12:00:00Z"), the form of `created_at`.
std::string iso8601_utc(std::chrono::system_clock::time_point when);

}  // namespace migsafe::backup
