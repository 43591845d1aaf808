// A pipeline file (TOML, shared/CONTRACT.md "Pipeline file") read into plain, validated structs.
// Every path is absolute and lexically normalised; every default is filled in.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace migsafe::config {

// Where a value was written in the pipeline file, so later checks can point at it.
struct SourcePos {
  int line = 0;    // 1-based; 0 when the value is a default, not from the file
  int column = 0;  // 1-based
};

// How pending migrations are applied.
enum class MigrationMode {
  atomic,         // all pending migrations, verification and RLS checks in one transaction
  per_migration,  // each migration commits on its own; a failure restores from the backup
};

// pg_dump's archive format.
enum class BackupFormat { custom, directory };

// The compression migsafe adds to a backup stream.
enum class Compression { zstd, none };

// What `run` does when the live owned schemas differ from the last stored snapshot (drift).
enum class OnDrift {
  warn,    // list the drift as warnings and go on
  refuse,  // exit 4 with the list, before changing anything
};

// What a failed `backup.copy.command` does to the run.
enum class CopyOnError {
  warn,  // report it and go on
  fail,  // treat the backup as missing: refuse to migrate
};

// Which RLS findings fail the run.
enum class RlsFailOn {
  error,  // findings of level "error" only
  warn,   // findings of level "warn" or "error"
};

// `[database]`: which database, and the settings of migration sessions.
struct Database {
  std::string url_env = "DATABASE_URL";           // env var that holds the target URL
  std::optional<std::string> url;                 // a fixed target URL (never with a password)
  bool ephemeral = false;                         // `url = "ephemeral"`: a throwaway cluster
  std::vector<std::string> schemas{"public"};     // schemas this pipeline owns; never empty
  bool supabase = true;                           // follow Supabase conventions
  std::chrono::milliseconds lock_timeout{5'000};  // SET lock_timeout in migration sessions
  std::chrono::milliseconds statement_timeout{600'000};  // SET statement_timeout likewise
  std::chrono::milliseconds lock_wait{60'000};      // how long `run` waits for another run's lock
  std::optional<std::filesystem::path> pg_bin_dir;  // where pg_dump/pg_restore are; else PATH
  OnDrift on_drift = OnDrift::warn;                 // drift found before a run: warn or refuse
};

// `[migrations]`.
struct Migrations {
  std::filesystem::path dir;                   // existing directory of `<version>_<name>.sql`
  MigrationMode mode = MigrationMode::atomic;  // how pending migrations are applied
  bool strict = false;  // a `.sql` file whose name does not match is an error, not a warning
};

// `[backup.copy]`: a command run after each verified backup (e.g. to copy it off the host).
struct BackupCopy {
  std::string command;                       // shell command line; never empty
  CopyOnError on_error = CopyOnError::warn;  // what its failure does to the run
  SourcePos pos;                             // the `[backup.copy]` table
};

// `[backup.remote]`: an off-site copy of every backup in S3-compatible object storage.
struct BackupRemote {
  std::string url;                 // "s3://bucket" or "s3://bucket/prefix"
  std::string endpoint;            // "https://host[:port]"; empty: AWS's endpoint for `region`
  std::string region;              // signing region; empty: "us-east-1"
  bool force_path_style = false;   // https://host/bucket/key instead of https://bucket.host/key
  std::string access_key_id_env = "AWS_ACCESS_KEY_ID";          // env var holding the key id
  std::string secret_access_key_env = "AWS_SECRET_ACCESS_KEY";  // env var holding the secret
  std::string session_token_env = "AWS_SESSION_TOKEN";          // env var holding a session token
  bool required = true;            // no verified remote copy: no migration (exit 4)
  int part_size_mib = 16;          // multipart part size (MiB), 5..512; memory holds six parts
  SourcePos pos;                   // the `[backup.remote]` table
};

// `[backup]`: where and how backups are written and kept.
struct Backup {
  std::filesystem::path dir;  // default `<pipeline dir>/backups`; may not exist yet
  BackupFormat format = BackupFormat::custom;     // pg_dump archive format
  int jobs = 2;                                   // parallel pg_dump/pg_restore workers, >= 1
  Compression compression = Compression::zstd;    // compression migsafe adds
  int compression_level = 1;                      // zstd level, 1..19; 1 keeps the pre-run backup fast
  std::optional<std::string> encryption_key_env;  // env var holding the AES-256-GCM key
  std::optional<std::filesystem::path> encryption_key_file;  // or a file holding it (not both)
  int keep_last = 30;                                        // prune keeps at least this many, >= 1
  int max_age_days = 30;                                     // prune removes older ones, >= 0
  std::optional<BackupCopy> copy;                            // `[backup.copy]`, if given
  std::optional<BackupRemote> remote;                        // `[backup.remote]`, if given
};

// A value a check's query must return, as written in the pipeline. Meant to be compared with
// the text PostgreSQL returns by kind: a boolean matches "t"/"f" (or "true"/"false"), numbers
// compare as numbers ("1" matches 1.0), text compares exactly.
struct ExpectedValue {
  // The TOML type the value was written as; tells how to compare it with PostgreSQL's text.
  enum class Kind { text, integer, real, boolean };
  Kind kind = Kind::text;  // its TOML type
  std::string text;  // the string itself, or "42", "1.5" (shortest exact form), "true"/"false"
};

// `[[verify.assert]]`: a query whose single value must match.
struct Assertion {
  std::string name;                     // unique among the pipeline's assertions
  std::string sql;                      // a query returning one row of one column
  std::optional<ExpectedValue> expect;  // the value it must return; absent = boolean true
  SourcePos pos;                        // the entry (its `[[verify.assert]]` header)
};

// `[verify]`: checks run after the migrations, before committing.
struct Verify {
  std::vector<std::string> tests;  // pgTAP file glob patterns, absolute ("**" allowed)
  double max_row_loss_pct = 0;     // largest tolerated drop of any table's row count, 0..100
  std::map<std::string, double> max_row_loss_pct_per_table;  // table name -> pct, overrides
  std::vector<std::string> allow_dropped_tables;             // tables that may disappear
  std::string pgtap_schema = "extensions";                   // schema where pgTAP's functions live
  std::vector<Assertion> asserts;                            // `[[verify.assert]]`, in file order
  SourcePos tests_pos;                                       // the `tests` array, if given
  // `seed`: seed files (absolute glob patterns) loaded before the tests; unset: as the Supabase
  // CLI finds them ([db.seed] of supabase/config.toml, else supabase/seed.sql).
  std::optional<std::vector<std::string>> seed;
  bool seed_real_target = false;  // also load seeds on a real target (inside the undone suite)
};

// One entry of `rls.ignore`: a lint finding to suppress.
struct RlsIgnore {
  std::string lint;    // the lint's name, e.g. "rls_enabled_no_policy"
  std::string object;  // the object it reports, e.g. "public.audit_log"
  std::string reason;  // why; never empty
  SourcePos pos;       // the inline table
};

// `[[rls.case]]`: a query run as a role with JWT claims, and its expected outcome.
// Exactly one of `expect`, `expect_rows` and `expect_error` is set.
struct RlsCase {
  std::string name;                         // unique among the pipeline's cases
  std::string role;                         // database role to run as, e.g. "authenticated"
  std::optional<std::string> claims_json;   // JWT claims as compact JSON (keys sorted)
  std::optional<std::string> setup;         // SQL run first, as the migration owner
  std::string sql;                          // the query run as `role`
  std::optional<ExpectedValue> expect;      // the single value it must return
  std::optional<std::int64_t> expect_rows;  // or the number of rows it must return
  std::optional<std::string> expect_error;  // or the error it must fail with: SQLSTATE or text
  SourcePos pos;                            // the entry (its `[[rls.case]]` header)
};

// `[rls]`: row-level security lints and cases.
struct Rls {
  bool enabled = false;                      // the pipeline has an `[rls]` table: run the RLS checks
  std::vector<std::string> exposed_schemas;  // schemas the API exposes; default database.schemas
  RlsFailOn fail_on = RlsFailOn::error;      // which findings fail the run
  bool default_deny = true;                  // an exposed table without RLS is a finding
  std::vector<std::string> public_tables;    // tables meant to be readable by anyone
  std::vector<RlsIgnore> ignore;             // suppressed findings
  std::vector<RlsCase> cases;                // `[[rls.case]]`, in file order
};

// `[hooks]`: shell commands run around a run.
struct Hooks {
  std::optional<std::string> before;           // before anything changes
  std::optional<std::string> on_success;       // after a successful run
  std::optional<std::string> on_failure;       // after a failed run
  std::chrono::milliseconds timeout{300'000};  // limit for each hook; 0 = none
};

// One entry of `safety.ignore`: a lock-impact finding to suppress.
struct SafetyIgnore {
  std::string rule;    // the rule's id, e.g. "index_without_concurrently"
  std::string object;  // the relation it names, e.g. "public.orders"
  std::string reason;  // why; never empty
  SourcePos pos;       // the inline table
};

// `[safety]`: lock impact thresholds and what the findings do to the run.
struct Safety {
  bool measure = true;                                  // measure each statement's locks (one query each)
  std::optional<std::chrono::milliseconds> lock_timeout;  // for migration statements; else [database] lock_timeout
  int lock_retries = 0;                                 // roll back and retry after lock_timeout, this many times
  std::optional<std::chrono::milliseconds> max_exclusive_lock;  // ACCESS EXCLUSIVE hold budget (not used yet)
  RlsFailOn fail_on = RlsFailOn::error;                 // which findings fail the run
  std::int64_t large_table_rows = 1'000'000;            // a table with more estimated rows is large
  std::int64_t large_table_bytes = 1LL << 30;           // or one bigger than this (heap + TOAST)
  std::vector<SafetyIgnore> ignore;                     // suppressed findings
};

// `[on_failure]`.
struct OnFailure {
  bool restore = true;  // restore the pre-run backup when a failure left committed changes
};

// A whole pipeline file.
struct Pipeline {
  std::filesystem::path file;  // as the user named it; used in messages
  std::filesystem::path dir;   // absolute directory of the file; relative paths start here
  int version = 1;             // file format version; only 1 exists
  std::string name;            // default: the file name without extension
  Database database;           // `[database]`
  Migrations migrations;       // `[migrations]`
  Backup backup;               // `[backup]`
  Verify verify;               // `[verify]`
  Rls rls;                     // `[rls]`
  Hooks hooks;                 // `[hooks]`
  Safety safety;               // `[safety]`
  OnFailure on_failure;        // `[on_failure]`
};

// Reads and validates the pipeline in `file`. Throws a usage error (exit 2) listing every
// problem, one per line, each as "<file>:<line>:<column>: <cause>"; a file that cannot be read
// as "<file>: cannot read pipeline: <reason>".
Pipeline load_pipeline(const std::filesystem::path& file);

// "<file>:<line>:<column>" for a position in `pipeline`'s file, for messages about it.
std::string location(const Pipeline& pipeline, SourcePos pos);

}  // namespace migsafe::config
