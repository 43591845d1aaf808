// Runs pgTAP test files as `supabase test db` does (pg_prove, one psql per file), without
// pg_prove, Perl or psql: each file is read as psql reads it (meta-commands, variables) and its
// statements are sent one by one; every result row is printed as psql would print it for pg_prove
// and read as TAP. The whole suite runs in one transaction (or savepoint) that is rolled back at
// the end, so nothing of it outlives the run; inside it what a file commits stays for the files
// after it, and each file starts with a clean session (see SuiteScope, PsqlFileRun).
#pragma once

#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "checks/sql_failure.hpp"
#include "checks/tap_parser.hpp"
#include "pg/session.hpp"

namespace migsafe::checks {

// What one test file did.
struct TestFileResult {
  std::string file;                 // the path as shown to the user
  TapSummary tap;                   // the TAP the file produced (up to its SQL error, if any)
  std::optional<SqlFailure> error;  // the SQL error that stopped the file, if one did
  std::vector<SqlFailure> ignored_errors;  // errors psql went on after (ON_ERROR_STOP off)
  long long duration_ms = 0;        // wall time, setup and rollback included
  // True when the file has no SQL error and its TAP is ok (plan present and met, no failure).
  bool passed() const;
  // {file, status ("passed" | "failed"), planned, run, passed, failed, skipped, todo, todo_passed,
  // bail_out, failures[{number, description, diagnostics}], problems[], error, duration_ms}.
  nlohmann::json to_json() const;
};

// How to run the files.
struct PgtapOptions {
  std::string pgtap_schema = "extensions";  // where pgTAP is created when the database lacks it
  std::string display_root;  // file paths are shown relative to this directory
  std::string include_dir;   // `\i` resolves relative paths here (default: the working directory)
  // Runs inside the suite's scope before the first file (e.g. loads seeds); false: run no file.
  std::function<bool()> before_files;
};

// Runs `files` in order on `session` and returns one result per file. A file's SQL error fails
// that file only; the next file still runs. Before the first file, pgTAP is created in
// `options.pgtap_schema` when missing (unless a file creates it itself) and its schema is put on
// the search_path. A session reset that fails between files is added to `warnings`. Throws
// pg::QueryError when the connection is lost or the final rollback fails, and Interrupted
// on SIGINT/SIGTERM, after rolling the suite back.
std::vector<TestFileResult> run_pgtap_files(pg::Session& session,
                                            const std::vector<std::filesystem::path>& files,
                                            const PgtapOptions& options,
                                            std::vector<std::string>* warnings = nullptr);

}  // namespace migsafe::checks
