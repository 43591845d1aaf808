// Taking a backup: pg_dump's custom-format archive streamed through compression and hashing into
// a file in one pass, a schema-only SQL snapshot beside it, and a check that pg_restore reads it
// back.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "pg/conninfo.hpp"

namespace migsafe::backup {

// What to dump and where.
struct DumpRequest {
  pg::ConnInfo target;          // the database; its password goes to pg_dump's environment only
  std::string pg_dump_path;     // pg_dump able to dump the server
  std::string pg_restore_path;  // pg_restore for verification
  std::filesystem::path dir;    // backup directory; created 0700 if missing
  std::string backup_id;        // names the files
  std::string compression = "zstd";  // "zstd" (migsafe compresses) or "none" (pg_dump's own)
  int compression_level = 3;         // zstd level
  std::vector<std::string> schemas;  // schemas in the schema-only snapshot; empty: all
};

// What was written.
struct DumpResult {
  std::filesystem::path data_file;    // `<dir>/<id>.dump[.zst]`
  std::filesystem::path schema_file;  // `<dir>/<id>.schema.sql`
  uint64_t bytes = 0;                 // size of the data file
  std::string checksum;               // "sha256:<hex>" of the data file
  long long dump_ms = 0;              // time spent in pg_dump (archive and schema snapshot)
  long long verify_ms = 0;            // time spent verifying the archive
};

// Dumps `request.target`, writes the schema snapshot, and verifies the archive before either file
// appears under its final name. Any failure (pg_dump missing, killed or failing, disk full,
// verification) throws Error(Exit::refused) naming the file and the cause, with pg_dump's stderr,
// and leaves no data file behind.
DumpResult dump_database(const DumpRequest& request);

// Re-reads `data_file` and checks its SHA-256 against `checksum` ("sha256:<hex>") and that
// `pg_restore --list` reads it (decompressing all of it, so a truncated or corrupt zstd frame is
// caught). Throws Error(Exit::refused) naming the file and what is wrong.
void verify_archive(const std::filesystem::path& data_file, const std::string& checksum,
                    const std::string& compression, const std::string& pg_restore_path);

// The data file name for `backup_id` stored with `compression`: `<id>.dump` or `<id>.dump.zst`.
std::string data_file_name(const std::string& backup_id, const std::string& compression);

}  // namespace migsafe::backup
