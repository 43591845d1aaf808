// The states a report records, as types: a run's status and mode, a step's and a migration's status.
// Code compares these enums; the contract's strings appear only where JSON, the checklist or the
// terminal is written (to_string) or a report is read back (parse_*).
#pragma once

#include <string>

namespace migsafe::report {

// The outcome of a command (`status` in the report).
enum class RunStatus {
  unset,              // not decided yet ("" in JSON; hooks see "running")
  succeeded,          // everything applied and checked
  nothing_to_do,      // nothing pending
  pending,            // plan/status: migrations are pending
  failed,             // test/rls: a check failed
  failed_restored,    // failed, pre-run state restored and verified (exit 1)
  failed_unrestored,  // failed, pre-run state not restored or not verified (exit 3)
  refused,            // refused before changing anything (exit 4)
  dry_run,            // a dry run, rolled back
  no_drift,           // drift: the live schemas equal the stored snapshot (exit 0)
  drift,              // drift: they differ (exit 4)
  no_baseline,        // drift: no snapshot stored yet (exit 2)
};

// How the migrations of a run are committed (`mode`).
enum class Mode {
  unset,          // not chosen ("" in JSON)
  atomic,         // one transaction for all migrations and checks
  per_migration,  // each migration commits on its own ("per-migration")
};

// The outcome of one step (`steps[].status`).
enum class StepStatus { ok, failed, skipped };

// What happened to one migration (`migrations[].status`).
enum class MigrationStatus {
  pending,      // not run (yet)
  applied,      // committed (or, inside an open transaction, run)
  failed,       // a statement failed
  rolled_back,  // applied, then rolled back with the transaction
  restored,     // applied, then undone by the restore
  skipped,      // never ran because an earlier one failed
  would_apply,  // dry run: ran and was rolled back
};

// The contract's string for each value.
std::string to_string(RunStatus status);
std::string to_string(Mode mode);
std::string to_string(StepStatus status);
std::string to_string(MigrationStatus status);

// The value whose string is `text`; throws migsafe::Error (exit 2) naming `text` when there is none.
RunStatus parse_run_status(const std::string& text);
Mode parse_mode(const std::string& text);
StepStatus parse_step_status(const std::string& text);
MigrationStatus parse_migration_status(const std::string& text);

}  // namespace migsafe::report
