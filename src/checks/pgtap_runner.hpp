// Runs pgTAP test files as `supabase test db` does, without pg_prove, Perl or psql: each file is
// split into statements, sent through the session one by one, and every result row is read as TAP,
// as psql would print it for pg_prove (columns joined by '|'). Each file runs in its own
// transaction (or savepoint) that is rolled back, so tests leave nothing behind: not their data,
// not their settings, not a pgTAP the runner created.
#pragma once

#include <filesystem>
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
  bool inside_transaction = false;          // the caller's transaction is open: wrap each file in a
                                    // SAVEPOINT rolled back and released, never BEGIN/ROLLBACK
  std::string display_root;  // file paths are shown relative to this directory
};

// Runs `files` in order on `session` and returns one result per file. A file's SQL error fails
// that file only; the next file still runs. The files' own BEGIN/COMMIT/ROLLBACK are skipped
// (the runner owns the transaction). Before each file, pgTAP is created in
// `options.pgtap_schema` when missing (unless the file creates it itself) and its schema is
// appended to the transaction-local search_path. Uses savepoints also when `session` is already
// in a transaction. Throws pg::QueryError when the rollback after a file fails (e.g. the connection
// was lost) and util::Interrupted on SIGINT/SIGTERM, after rolling the file back.
std::vector<TestFileResult> run_pgtap_files(pg::Session& session,
                                            const std::vector<std::filesystem::path>& files,
                                            const PgtapOptions& options);

}  // namespace migsafe::checks
