#include "pipeline/recover.hpp"

#include "backup/restore.hpp"
#include "pipeline/backup_commands.hpp"
#include "pg/tools.hpp"
#include "pipeline/backup_step.hpp"
#include "pipeline/connect.hpp"
#include "pg/history.hpp"

#include <optional>

namespace migsafe::pipeline {
namespace {

void mark_migrations(Context& context, report::MigrationStatus how) {
  using report::MigrationStatus;
  for (auto& m : context.report.migrations) {
    if (m.status == MigrationStatus::applied) m.status = how;
    else if (m.status == MigrationStatus::pending) m.status = MigrationStatus::skipped;
  }
}

void roll_back(Context& context) {
  if (context.work && context.work->alive() && context.work->in_transaction()) context.work->exec("ROLLBACK");
}

void restore_backup(Context& context, report::Restore& restore) {
  const auto& p = context.pipeline;
  std::string bin = p.database.pg_bin_dir ? p.database.pg_bin_dir->string() : "";
  backup::RestoreRequest request;
  request.target = context.target;
  request.pg_restore_path = pg::find_pg_tool("pg_restore", server_major(context), bin, 3);
  request.psql_path = pg::find_pg_tool("psql", server_major(context), bin, 3);
  request.data_file = context.backup_file;
  request.compression = context.backup_compression;
  request.schemas = p.database.schemas;
  request.expected_fingerprint = context.before.hash;
  request.fingerprint_version = context.before.version;
  request.key = run_backup_key(context);
  request.outside_before = &context.outside_before;
  request.run_id = context.report.run_id;
  backup::RestoreOutcome outcome = backup::restore_owned_schemas(*context.control, request);
  restore.outside = outcome.notes;
  if (!outcome.leftovers.empty()) {
    restore.differences = outcome.leftovers;
    restore.error = "left outside the owned schemas: " + outcome.leftovers.front() +
                    (outcome.leftovers.size() > 1 ? " (and " + std::to_string(outcome.leftovers.size() - 1) + " more)" : "");
  }
}

// The control session may have died with the server; verification needs a live one.
pg::Session& live_session(Context& context) {
  if (!context.control->alive()) context.control = open_session(context.target, "migsafe verify " + context.report.run_id);
  return *context.control;
}

// Compares the live fingerprint with the pre-run snapshot and records it in `restore`.
void verify_fingerprint(Context& context, report::Restore& restore) {
  try {
    pg::Fingerprint after = pg::take_fingerprint(live_session(context), context.pipeline.database.schemas);
    restore.fingerprint_after = after.hash;
    restore.verified = restore.error.empty() && after.hash == context.before.hash;
    if (!restore.verified) {
      for (auto& d : pg::fingerprint_differences(context.before, after)) restore.differences.push_back(d);
    }
  } catch (const std::exception& e) {
    if (restore.error.empty()) restore.error = std::string("could not verify: ") + e.what();
  }
}

// Undoes the run: a rollback, or the backup when something committed. Whatever throws here (a
// fault, a signal, a dead session) is recorded; the rollback is tried once more, and the
// fingerprint, not the absence of errors, decides what is claimed.
void undo(Context& context, bool use_backup, report::Restore& restore, std::optional<StepTimer>& step) {
  try {
    step.emplace(context, "restore");
    roll_back(context);
    if (use_backup && !context.pipeline.on_failure.restore) {
      throw std::runtime_error("on_failure.restore = false: the committed migrations were left in place");
    }
    if (use_backup) {
      // A migsafe killed during the restore leaves this mark: the next run must not build on it.
      if (context.ledger_started) pg::mark_run(*context.control, context.report.run_id, "restoring");
      restore_backup(context, restore);
    }
  } catch (const std::exception& e) {
    if (use_backup) {
      restore.error = e.what();
      return;
    }
    context.report.errors.push_back(std::string("during the rollback: ") + e.what());
    try {
      roll_back(context);
    } catch (const std::exception& again) {
      restore.error = again.what();
    }
  }
}

}  // namespace

void end_dry_run(Context& context) {
  auto start = std::chrono::steady_clock::now();
  StepTimer step(context, "rollback");
  report::Restore restore;
  restore.method = "rollback";
  restore.fingerprint_before = context.before.hash;
  // What a real run would have held until its COMMIT, held until this rollback: graded by the budget.
  context.impact.end_transaction(context.pipeline.safety, context.report.impact, true);
  roll_back(context);
  verify_fingerprint(context, restore);
  restore.duration_ms = elapsed_ms(start);
  for (auto& m : context.report.migrations) {
    if (m.status == report::MigrationStatus::applied) m.status = report::MigrationStatus::would_apply;
  }
  context.report.status = restore.verified ? report::RunStatus::dry_run : report::RunStatus::failed_unrestored;
  context.report.exit_code = restore.verified ? 0 : 3;
  context.report.restore = restore;
  if (restore.verified) step.ok("dry run rolled back, fingerprint equal (" + restore.fingerprint_after.substr(0, 19) + "...)");
  else step.failed("the dry run changed the database");
}

void recover(Context& context, const MigrateOutcome& outcome) {
  auto start = std::chrono::steady_clock::now();
  std::optional<StepTimer> step;
  report::Restore restore;
  restore.fingerprint_before = context.before.hash;
  bool use_backup = outcome.committed_any;
  restore.method = use_backup ? "pg_restore" : "rollback";
  undo(context, use_backup, restore, step);
  verify_fingerprint(context, restore);
  if (restore.verified && !use_backup && context.work && context.work->alive() && context.work->in_transaction()) {
    restore.verified = false;  // the changes are still open in a transaction nobody could end
    restore.error = "the migration transaction could not be rolled back";
  }
  restore.duration_ms = elapsed_ms(start);
  using report::MigrationStatus;
  mark_migrations(context, restore.verified ? (use_backup ? MigrationStatus::restored : MigrationStatus::rolled_back)
                                            : MigrationStatus::applied);
  context.report.status = restore.verified ? report::RunStatus::failed_restored : report::RunStatus::failed_unrestored;
  context.report.exit_code = restore.verified ? 1 : 3;
  if (restore.verified) {
    if (step) step->ok(restore.method + ", fingerprint equal (" + restore.fingerprint_after.substr(0, 19) + "...)");
  } else {
    context.report.errors.push_back("the database could NOT be returned to its pre-run state" +
                                    (restore.error.empty() ? std::string() : ": " + restore.error));
  }
  context.report.restore = restore;
}

}  // namespace migsafe::pipeline
