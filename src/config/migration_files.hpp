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

// Whether version `a` sorts before version `b`: numerically (leading zeros ignored, then by
// length, then by digits), with the text itself as the tie-break so the order is total.
bool version_less(std::string_view a, std::string_view b);

// Whether `a` and `b` are the same number ("1" and "001" are), i.e. name one version.
bool same_version(std::string_view a, std::string_view b);

// Reads every migration in `dir` (not recursive), sorted by version. Hidden entries (".*"),
// directories and files whose name does not end in ".sql" (any case) are ignored. Throws one
// usage error listing every problem, one per line: a ".sql" file whose name does not match,
// a file that cannot be read, and each set of files sharing one version.
std::vector<MigrationFile> scan_migrations(const std::filesystem::path& dir);

}  // namespace migsafe::config
