#include "config/migration_files.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <system_error>

#include "core/error.hpp"
#include "sql/migration_body.hpp"
#include "sql/splitter.hpp"
#include "util/sha256.hpp"
#include "util/utf8.hpp"

namespace migsafe::config {

namespace fs = std::filesystem;

namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

bool ends_with_sql_any_case(std::string_view file_name) {
  if (file_name.size() < 4) return false;
  std::string suffix(file_name.substr(file_name.size() - 4));
  std::transform(suffix.begin(), suffix.end(), suffix.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return suffix == ".sql";
}

// The whole file at `path`; sets `error` to the reason and returns nullopt when it cannot.
std::optional<std::string> read_bytes(const fs::path& path, std::string& error) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"), std::fclose);
  if (!file) {
    error = std::strerror(errno);
    return std::nullopt;
  }
  std::string bytes;
  char buffer[65536];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, file.get())) > 0) bytes.append(buffer, n);
  if (std::ferror(file.get())) {
    error = std::strerror(errno);
    return std::nullopt;
  }
  return bytes;
}

// One entry of the migrations directory.
struct Entry {
  std::string name;
  bool directory = false;
};

// Every entry of `dir`, sorted by name byte-wise (as Go's fs.ReadDir, which the CLI uses).
std::vector<Entry> directory_entries(const fs::path& dir) {
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec) {
    throw usage_error(dir.string() + ": cannot read migrations directory: " + ec.message());
  }
  std::vector<Entry> entries;
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    std::error_code type_ec;  // a dangling link is no directory; reading it will say why
    entries.push_back(Entry{it->path().filename().string(), it->is_directory(type_ec)});
  }
  if (ec) throw usage_error(dir.string() + ": cannot read migrations directory: " + ec.message());
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.name < b.name; });
  return entries;
}

// The CLI skips a first file `<14 digits>_init.sql` older than 20211209000000 (the schema file of
// its early versions) with a warning.
bool is_legacy_init(const std::vector<Entry>& entries, size_t index) {
  if (index != 0) return false;
  const std::string& name = entries[index].name;
  if (name.size() != 23 || name.compare(14, 9, "_init.sql") != 0) return false;
  for (size_t i = 0; i < 14; ++i) {
    if (!is_digit(name[i])) return false;
  }
  return name.compare(0, 14, "20211209000000") < 0;
}

// Why `sql` cannot be sent to PostgreSQL as it is ("3:7: contains a NUL byte"), or empty. libpq
// would cut the text at a NUL without a word, and the server rejects invalid UTF-8 anyway.
std::string content_problem(const std::string& sql) {
  size_t nul = sql.find('\0');
  if (nul != std::string::npos) {
    auto at = sql::position_at(sql, nul);
    return std::to_string(at.line) + ":" + std::to_string(at.column) + ": contains a NUL byte";
  }
  if (auto bad = util::first_invalid_utf8(sql)) {
    auto at = sql::position_at(sql.substr(0, *bad), *bad);
    return std::to_string(at.line) + ":" + std::to_string(at.column) + ": invalid UTF-8 (byte 0x" +
           "0123456789abcdef"[static_cast<unsigned char>(sql[*bad]) >> 4] +
           "0123456789abcdef"[static_cast<unsigned char>(sql[*bad]) & 15] + ")";
  }
  return "";
}

// Reads the migration `file_name` in `dir`, or adds the reason it is not one to `problems`.
std::optional<MigrationFile> read_migration(const fs::path& dir, const std::string& file_name,
                                            std::vector<std::string>& problems) {
  fs::path path = dir / file_name;
  std::optional<MigrationName> parsed = parse_migration_name(file_name);
  std::string error;
  std::optional<std::string> sql = read_bytes(path, error);
  if (!sql) {
    problems.push_back(path.string() + ": cannot read migration: " + error);
    return std::nullopt;
  }
  if (std::string problem = content_problem(*sql); !problem.empty()) {
    problems.push_back(path.string() + ":" + problem);
    return std::nullopt;
  }
  const std::vector<sql::Refusal> refusals = sql::migration_body(*sql).refusals;
  for (const sql::Refusal& r : refusals) {
    problems.push_back(path.string() + ":" + std::to_string(r.line) + ":" + std::to_string(r.column) + ": " + r.message);
  }
  if (!refusals.empty()) return std::nullopt;
  std::string checksum = util::sha256_hex(*sql);
  return MigrationFile{parsed->version, parsed->name, path, std::move(*sql), std::move(checksum)};
}

// "a", "a and b", "a, b and c".
std::string join_paths(const std::vector<const MigrationFile*>& files) {
  std::string text;
  for (size_t i = 0; i < files.size(); ++i) {
    if (i > 0) text += i + 1 == files.size() ? " and " : ", ";
    text += files[i]->path.string();
  }
  return text;
}

// Adds one problem per version that more than one of the sorted `migrations` share.
void find_duplicates(const std::vector<MigrationFile>& migrations,
                     std::vector<std::string>& problems) {
  for (size_t i = 0; i < migrations.size();) {
    std::vector<const MigrationFile*> group{&migrations[i]};
    size_t j = i + 1;
    for (; j < migrations.size() && same_version(migrations[j].version, migrations[i].version);
         ++j) {
      group.push_back(&migrations[j]);
    }
    if (group.size() > 1) {
      problems.push_back("duplicate migration version " + migrations[i].version + ": " +
                         join_paths(group));
    }
    i = j;
  }
}

std::string join_lines(const std::vector<std::string>& lines) {
  std::string text;
  for (const std::string& line : lines) text += (text.empty() ? "" : "\n") + line;
  return text;
}

}  // namespace

std::optional<MigrationName> parse_migration_name(std::string_view file_name) {
  size_t digits = 0;
  while (digits < file_name.size() && is_digit(file_name[digits])) ++digits;
  if (digits == 0 || digits >= file_name.size() || file_name[digits] != '_') return std::nullopt;
  std::string_view rest = file_name.substr(digits + 1);
  if (rest.size() < 4 || rest.substr(rest.size() - 4) != ".sql") return std::nullopt;
  std::string_view name = rest.substr(0, rest.size() - 4);
  if (name.find('\n') != std::string_view::npos) return std::nullopt;
  return MigrationName{std::string(file_name.substr(0, digits)), std::string(name)};
}

bool version_less(std::string_view a, std::string_view b) {
  return a < b;  // std::string_view compares as unsigned bytes, like Go's string <
}

bool same_version(std::string_view a, std::string_view b) {
  return a == b;
}

std::vector<MigrationFile> scan_migrations(const fs::path& dir, const ScanOptions& options,
                                           std::vector<std::string>* warnings) {
  std::vector<MigrationFile> migrations;
  std::vector<std::string> problems;
  const std::vector<Entry> entries = directory_entries(dir);
  for (size_t i = 0; i < entries.size(); ++i) {
    const std::string& name = entries[i].name;
    if (entries[i].directory || !ends_with_sql_any_case(name)) continue;
    const std::string path = (dir / name).string();
    if (is_legacy_init(entries, i)) {
      if (warnings) warnings->push_back(path + ": skipped, as the Supabase CLI skips a first <timestamp>_init.sql older than 20211209000000");
      continue;
    }
    if (!parse_migration_name(name)) {
      const std::string why = "not a migration file name: expected <digits>_<name>.sql";
      if (options.strict) problems.push_back(path + ": " + why + " ([migrations] strict = true)");
      else if (warnings) warnings->push_back(path + ": skipped, " + why + " (as the Supabase CLI skips it)");
      continue;
    }
    if (auto migration = read_migration(dir, name, problems)) migrations.push_back(std::move(*migration));
  }
  find_duplicates(migrations, problems);
  if (!problems.empty()) throw usage_error(join_lines(problems));
  return migrations;
}

}  // namespace migsafe::config
