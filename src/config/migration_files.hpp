// The migration files of a pipeline: `<version>_<name>.sql`, as the Supabase CLI names them.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace migsafe::config {

// The two parts of a migration file name.
struct MigrationName {
  std::string version;  // the leading digits, as written (e.g. "20240101120000")
  std::string name;     // everything between the first '_' and ".sql"; may be empty
};

// One migration read from disk.
struct MigrationFile {
  std::string version;         // the leading digits of the file name; the history table's key
  std::string name;            // the rest of the file name before ".sql"; may be empty
  std::filesystem::path path;  // the scanned directory joined with the file name
  std::string sql;             // the file's bytes, unchanged
  std::string checksum;        // SHA-256 of the file's bytes, 64 lowercase hex digits
};

// Splits `file_name` by the Supabase CLI's rule `^([0-9]+)_(.*)\.sql$` (pkg/migration/file.go):
// digits, '_', any name (even empty, but no newline), ".sql" in lowercase. nullopt if it does not
// match.
std::optional<MigrationName> parse_migration_name(std::string_view file_name);

// Whether version `a` sorts before version `b` as the Supabase CLI compares versions: byte-wise
// as text, so "202406201411" (12 digits, 2024) sorts after "20230517185943" (14 digits, 2023).
bool version_less(std::string_view a, std::string_view b);

// Whether `a` and `b` name one version: the same text ("1" and "001" are two versions, as the
// history table's text primary key sees them).
bool same_version(std::string_view a, std::string_view b);

// How to treat the migrations directory.
struct ScanOptions {
  bool strict = false;  // a `.sql` file whose name does not match is an error, not a warning
};

// Reads every migration in `dir` (not recursive) in the Supabase CLI's order: by FILE NAME,
// byte-wise. Directories and files whose name does not end in ".sql" (any case) are ignored. A
// ".sql" file whose name does not match `^([0-9]+)_(.*)\.sql$` is skipped with a warning naming
// it, as the CLI skips it (an error with `options.strict`); so is a first file
// `<14 digits>_init.sql` older than 20211209000000, which the CLI skips too. Warnings are added
// to `warnings` when given. Throws one usage error listing every problem, one per line: a
// non-matching name under strict, a file that cannot be read, a NUL byte or invalid UTF-8, a
// psql meta-command or a COMMIT/ROLLBACK in the middle of a file (with file:line:column), and
// each set of files sharing one version.
std::vector<MigrationFile> scan_migrations(const std::filesystem::path& dir, const ScanOptions& options = {},
                                           std::vector<std::string>* warnings = nullptr);

}  // namespace migsafe::config
