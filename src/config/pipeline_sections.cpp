// Readers for the pipeline's operational tables: [database], [migrations], [backup], [hooks],
// [on_failure]. The check tables ([verify], [rls]) are in pipeline_checks.cpp.
#include "config/pipeline_sections.hpp"

#include <climits>
#include <regex>
#include <system_error>

namespace migsafe::config::detail {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

// PostgreSQL keeps timeouts in an int of milliseconds.
constexpr milliseconds kPostgresTimeoutMax{INT_MAX};
constexpr milliseconds kNoLimit = milliseconds::max();

static bool is_env_name(const std::string& name) {
  static const std::regex kPattern("[A-Za-z_][A-Za-z0-9_]*");
  return std::regex_match(name, kPattern);
}

std::optional<std::string> env_name(const TableReader& table, std::string_view key) {
  std::optional<std::string> name = table.string(key);
  if (!name || is_env_name(*name)) return name;
  table.error(key,
              "'" + table.key_path(key) +
                  "' must be the name of an environment variable (letters, digits, '_'), not " +
                  in_quotes(*name));
  return std::nullopt;
}

namespace {

bool uri_has_password(std::string_view url) {
  std::string_view rest = url.substr(url.find("://") + 3);
  std::string_view authority = rest.substr(0, rest.find_first_of("/?"));
  size_t at = authority.rfind('@');
  if (at != std::string_view::npos && authority.substr(0, at).find(':') != std::string_view::npos) {
    return true;
  }
  static const std::regex kQueryPassword("[?&]password=");
  return std::regex_search(rest.begin(), rest.end(), kQueryPassword);
}

// `url`: "ephemeral", or a URL without a password.
void read_url(const TableReader& table, Database& database) {
  std::optional<std::string> url = table.string("url");
  if (!url) return;
  if (*url == "ephemeral") {
    database.ephemeral = true;
  } else if (url_has_password(*url)) {
    table.error("url", "'" + table.key_path("url") +
                           "' contains a password; never put a password in this file: name an "
                           "environment variable in 'url_env' or use a passfile (~/.pgpass)");
  } else {
    database.url = url;
  }
}

// Records an error unless `dir`, the value of `key`, is an existing directory.
void check_directory(const TableReader& table, std::string_view key, const fs::path& dir) {
  std::error_code ec;
  fs::file_status status = fs::status(dir, ec);
  std::string what = "'" + table.key_path(key) + "' ";
  if (status.type() == fs::file_type::not_found) {
    table.error(key, what + "does not exist: " + dir.string());
  } else if (ec) {
    table.error(key, what + "cannot be read (" + ec.message() + "): " + dir.string());
  } else if (status.type() != fs::file_type::directory) {
    table.error(key, what + "is not a directory: " + dir.string());
  }
}

std::optional<int> small_integer(const TableReader& table, std::string_view key, int min,
                                 int max = INT_MAX) {
  std::optional<std::int64_t> value = table.integer(key, min, max);
  if (!value) return std::nullopt;
  return static_cast<int>(*value);
}

// `[backup.copy]`.
BackupCopy read_copy(const TableReader& table) {
  table.allow_only({"command", "on_error"});
  BackupCopy copy;
  copy.command = table.required_string("command");
  set_if(copy.on_error, table.choice<CopyOnError>("on_error", {{"warn", CopyOnError::warn},
                                                               {"fail", CopyOnError::fail}}));
  copy.pos = table.pos();
  return copy;
}

// `compression` and `compression_level`.
void read_compression(const TableReader& table, Backup& backup) {
  set_if(backup.compression,
         table.choice<Compression>("compression",
                                   {{"zstd", Compression::zstd}, {"none", Compression::none}}));
  set_if(backup.compression_level, small_integer(table, "compression_level", 1, 19));
  if (backup.compression == Compression::none && table.find("compression_level")) {
    table.error("compression_level", "'" + table.key_path("compression_level") +
                                         "' has no effect with compression = \"none\"");
  }
}

// `encryption_key_env` or `encryption_key_file`, not both.
void read_encryption(const TableReader& table, Backup& backup) {
  backup.encryption_key_env = env_name(table, "encryption_key_env");
  backup.encryption_key_file = table.path("encryption_key_file");
  if (table.find("encryption_key_env") && table.find("encryption_key_file")) {
    table.error("encryption_key_file", "give one of '" + table.key_path("encryption_key_env") +
                                           "' and '" + table.key_path("encryption_key_file") +
                                           "', not both");
  }
}

}  // namespace

bool url_has_password(std::string_view url) {
  if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0) {
    return uri_has_password(url);
  }
  static const std::regex kKeyword("(^|\\s)password\\s*=");
  return std::regex_search(url.begin(), url.end(), kKeyword);
}

Database read_database(const TableReader& table) {
  table.allow_only({"url_env", "url", "schemas", "supabase", "lock_timeout", "statement_timeout",
                    "lock_wait", "pg_bin_dir", "on_drift"});
  Database database;
  set_if(database.url_env, env_name(table, "url_env"));
  read_url(table, database);
  set_if(database.schemas, table.schemas("schemas"));
  set_if(database.supabase, table.boolean("supabase"));
  set_if(database.lock_timeout, table.duration("lock_timeout", kPostgresTimeoutMax));
  set_if(database.statement_timeout, table.duration("statement_timeout", kPostgresTimeoutMax));
  set_if(database.lock_wait, table.duration("lock_wait", kNoLimit));
  database.pg_bin_dir = table.path("pg_bin_dir");
  set_if(database.on_drift, table.choice<OnDrift>("on_drift", {{"warn", OnDrift::warn}, {"refuse", OnDrift::refuse}}));
  return database;
}

Migrations read_migrations(const TableReader& table) {
  table.allow_only({"dir", "mode", "strict"});
  Migrations migrations;
  if (table.require("dir")) {
    if (std::optional<fs::path> dir = table.path("dir")) {
      check_directory(table, "dir", *dir);
      migrations.dir = *dir;
    }
  }
  set_if(migrations.mode,
         table.choice<MigrationMode>("mode", {{"atomic", MigrationMode::atomic},
                                              {"per-migration", MigrationMode::per_migration}}));
  set_if(migrations.strict, table.boolean("strict"));
  return migrations;
}

Backup read_backup(const TableReader& table) {
  table.allow_only({"dir", "format", "jobs", "compression", "compression_level",
                    "encryption_key_env", "encryption_key_file", "keep_last", "max_age_days",
                    "copy", "remote"});
  Backup backup;
  backup.dir = table.path("dir").value_or(table.resolve("backups"));
  set_if(backup.format,
         table.choice<BackupFormat>(
             "format", {{"custom", BackupFormat::custom}, {"directory", BackupFormat::directory}}));
  set_if(backup.jobs, small_integer(table, "jobs", 1));
  read_compression(table, backup);
  read_encryption(table, backup);
  set_if(backup.keep_last, small_integer(table, "keep_last", 1));
  set_if(backup.max_age_days, small_integer(table, "max_age_days", 0));
  const toml::node* copy = table.find("copy");
  TableReader copy_table = table.section("copy");  // reports a copy that is not a table
  if (copy && copy->is_table()) backup.copy = read_copy(copy_table);
  const toml::node* remote = table.find("remote");
  TableReader remote_table = table.section("remote");
  if (remote && remote->is_table()) backup.remote = read_remote(remote_table);
  return backup;
}

namespace {

// True when `path` is `dir` or below it.
bool is_within(const fs::path& path, const fs::path& dir) {
  fs::path relative = path.lexically_relative(dir);
  return !relative.empty() && *relative.begin() != "..";
}

}  // namespace

void check_backup_dir(const TableReader& table, const Backup& backup, const Migrations& migrations) {
  static const char* const kSystemDirs[] = {"/bin",  "/boot", "/dev",  "/etc", "/lib", "/lib32", "/lib64",
                                            "/proc", "/run",  "/sbin", "/sys", "/usr", "/var/lib/postgresql"};
  std::error_code ec;
  const fs::path real = fs::weakly_canonical(backup.dir, ec);
  if (ec) return;
  const std::string how = real == backup.dir ? "" : " (through '..' or a symlink)";
  bool system = real == real.root_path();
  for (const char* dir : kSystemDirs) system = system || is_within(real, dir);
  if (system) {
    table.error("dir", "'" + table.key_path("dir") + "' resolves to " + real.string() + how +
                           ": migsafe does not write backups into system directories");
    return;
  }
  const fs::path migrations_dir = fs::weakly_canonical(migrations.dir, ec);
  if (!ec && is_within(real, migrations_dir)) {
    table.error("dir", "'" + table.key_path("dir") + "' resolves to " + real.string() + how +
                           ", inside the migrations directory: its schema snapshots would be read as migrations");
  }
}

Hooks read_hooks(const TableReader& table) {
  table.allow_only({"before", "on_success", "on_failure", "timeout"});
  Hooks hooks;
  hooks.before = table.string("before");
  hooks.on_success = table.string("on_success");
  hooks.on_failure = table.string("on_failure");
  set_if(hooks.timeout, table.duration("timeout", kNoLimit));
  return hooks;
}

OnFailure read_on_failure(const TableReader& table) {
  table.allow_only({"restore"});
  OnFailure on_failure;
  set_if(on_failure.restore, table.boolean("restore"));
  return on_failure;
}

}  // namespace migsafe::config::detail
