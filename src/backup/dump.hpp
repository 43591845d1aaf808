// Taking a backup: pg_dump's custom-format archive streamed through compression and hashing into
// a file in one pass, a schema-only SQL snapshot beside it, and a check that pg_restore reads it
// back.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "backup/directory_archive.hpp"
#include "pg/conninfo.hpp"
#include "util/process.hpp"

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
  std::string key;                   // 32-byte AES-256-GCM key; empty: not encrypted
  std::string format = "custom";     // "custom" (one file) or "directory" (pg_dump -Fd, no key)
  int jobs = 2;                      // pg_dump workers for the directory format
  util::OutputSink tee;  // custom format: also receives every byte of the data file as it is
                         // written (e.g. an upload); throwing fails the backup
  // custom format: called with the data file's checksum and size once its last byte is written,
  // before the verification (e.g. to complete an upload meanwhile); throwing fails the backup
  std::function<void(const std::string& checksum, unsigned long long bytes)> on_written;
};

// What was written.
struct DumpResult {
  std::filesystem::path data_file;  // `<dir>/<id>.dump[.zst][.enc]`, or the directory `<dir>/<id>`
  std::filesystem::path schema_file;  // `<dir>/<id>.schema.sql`
  uint64_t bytes = 0;                 // size of the data file
  std::string checksum;               // "sha256:<hex>" of the data file
  long long dump_ms = 0;              // time spent in pg_dump (archive and schema snapshot)
  long long verify_ms = 0;            // time spent verifying the archive
  FileSums files;                     // directory format: each file's checksum
};

// Dumps `request.target`, writes the schema snapshot, and verifies the archive before either file
// appears under its final name. Any failure (pg_dump missing, killed or failing, disk full,
// verification) throws Error(Exit::refused) naming the file and the cause, with pg_dump's stderr,
// and leaves no data file behind.
DumpResult dump_database(const DumpRequest& request);

// Re-reads `data_file` and checks its SHA-256 against `checksum` ("sha256:<hex>") and that
// `pg_restore --list` reads it (decrypting with `key` unless empty, and decompressing all of it, so
// a truncated, altered or corrupt file is caught). Throws Error(Exit::refused) naming the file and
// what is wrong.
void verify_archive(const std::filesystem::path& data_file, const std::string& checksum,
                    const std::string& compression, const std::string& pg_restore_path,
                    const std::string& key = "");

// As verify_archive, for the stored bytes that `stored` produces (e.g. a download); `name` names
// them in errors.
void verify_archive_stream(const util::InputSource& stored, const std::string& name,
                           const std::string& checksum, const std::string& compression,
                           const std::string& pg_restore_path, const std::string& key = "");

// The data file name for `backup_id` stored with `compression` and maybe encrypted: `<id>.dump`,
// `<id>.dump.zst`, with `.enc` appended when encrypted.
std::string data_file_name(const std::string& backup_id, const std::string& compression,
                           bool encrypted = false);

// Creates the backup directory `dir` (and its parents) with mode 0700 if it is missing. Throws
// Error(Exit::refused) when it cannot.
void make_backup_dir(const std::filesystem::path& dir);

}  // namespace migsafe::backup
