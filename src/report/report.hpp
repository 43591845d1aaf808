// The run's model: everything a user, CI or a checklist needs to know about one command's outcome.
// Renderers (JSON, human text) read it; nothing in it knows how it will be shown.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "report/status.hpp"

namespace migsafe::report {

// One step of the pipeline (load, connect, lock, history, snapshot, backup, migrate, restore, ...).
struct Step {
  std::string name;           // e.g. "backup"
  StepStatus status = StepStatus::ok;
  long long duration_ms = 0;  // wall time
  std::string detail;         // one line for humans, e.g. "12.3 MiB, sha256:ab12..."
};

// Where and why a migration statement failed.
struct MigrationError {
  std::string sqlstate, message, detail, hint;
  std::string file;  // path of the migration file as the user gave it
  int line = 0, column = 0;
  std::string statement;  // the failing statement (first 200 characters)
};

// One migration file in this run.
struct Migration {
  std::string version, name, checksum;
  MigrationStatus status = MigrationStatus::pending;
  long long duration_ms = 0;
  std::optional<MigrationError> error;
  std::vector<std::string> non_transactional;  // "line 3: CREATE INDEX CONCURRENTLY ..." reasons
  std::vector<std::string> not_run;            // dry run: statements that would run outside a transaction
  std::string commit_after;  // atomic run: why the run commits once this migration is applied; "" if it does not
};

// How the database was returned to its pre-run state.
struct Restore {
  std::string method;  // rollback | pg_restore
  bool verified = false;
  std::string fingerprint_before, fingerprint_after;
  long long duration_ms = 0;
  std::vector<std::string> differences;  // when not verified (leftovers outside the owned schemas too)
  std::vector<std::string> outside;      // what the restore undid or brought back outside the owned schemas
  std::string error;                     // when the restore itself failed
};

// The whole outcome of a command.
struct Report {
  std::string migsafe_version = MIGSAFE_VERSION;
  std::string command;   // run | plan | status | ...
  std::string pipeline;  // pipeline name
  std::string pipeline_file;
  RunStatus status = RunStatus::unset;
  int exit_code = 0;
  std::string run_id;
  std::string database_url;  // password removed
  std::string server_version;
  std::string from_version, to_version;
  bool dry_run = false;  // everything was rolled back at the end, also on success
  bool backup_skipped = false;  // --no-backup (dry runs only)
  Mode mode = Mode::unset;
  std::string mode_reason;
  std::string lock_timeout, statement_timeout;
  nlohmann::json backup;  // the manifest, or null
  std::vector<Step> steps;
  std::vector<Migration> migrations;
  nlohmann::json tests = nlohmann::json::array();
  nlohmann::json verify = nlohmann::json::object();  // assertions[], row_loss
  nlohmann::json rls = nlohmann::json::object();
  nlohmann::json impact = nlohmann::json::object();  // statements[] (locks, rewrites, relations, time), findings[]
  std::optional<Restore> restore;
  nlohmann::json hooks = nlohmann::json::array();  // hook results (pipeline::HookResult::to_json)
  nlohmann::json drift;  // live schemas vs the stored snapshot (pipeline/drift.hpp), or null: not checked
  std::vector<std::string> errors;    // why it failed or was refused
  std::vector<std::string> warnings;  // things a user should know
};

// The report as the contract's JSON object. Text that is not valid UTF-8 (whatever a server, a test
// or a hook printed) is repaired with U+FFFD, counted in `invalid_utf8_replaced` and named in a
// warning, so the object always serialises.
nlohmann::json to_json(const Report& report);

// The inverse of to_json, for reports read back from a file (`migsafe checklist --from`); missing
// keys keep their defaults. Throws nlohmann::json::exception on a value of the wrong type and
// migsafe::Error on an unknown status or mode.
Report from_json(const nlohmann::json& json);

}  // namespace migsafe::report
