#include "pipeline/run.hpp"

#include <unistd.h>

#include <ctime>
#include <random>

#include "core/error.hpp"
#include "pg/invalid_indexes.hpp"
#include "pg/run_lock.hpp"
#include "pg/schema_snapshots.hpp"
#include "pipeline/backup_commands.hpp"
#include "pipeline/backup_step.hpp"
#include "pipeline/checks_step.hpp"
#include "pipeline/hook_steps.hpp"
#include "pipeline/connect.hpp"
#include "pipeline/drift.hpp"
#include "pipeline/migrate.hpp"
#include "pipeline/recover.hpp"
#include "pipeline/settle.hpp"
#include "util/interrupt.hpp"
#include "util/strings.hpp"

namespace migsafe::pipeline {
namespace {

void load_files(Context& context) {
  StepTimer step(context, "load");
  std::vector<std::string> warnings;
  context.files = config::scan_migrations(context.pipeline.migrations.dir, {context.pipeline.migrations.strict}, &warnings);
  for (const std::string& warning : warnings) {
    context.note("warning: " + warning);
    context.report.warnings.push_back(warning);
  }
  step.ok(std::to_string(context.files.size()) + " migration files in " + context.pipeline.migrations.dir.string());
}

std::string problems_text(const MigrationState& state) {
  std::string out;
  for (const auto& p : state.problems) out += "\n  " + p.kind + ": " + p.message;
  return out;
}

void read_history_step(Context& context) {
  StepTimer step(context, "history");
  context.history = pg::read_history(*context.control);
  context.state = compare_with_history(context.files, context.history);
  limit_pending(context.state, context.options.to_version);
  context.report.from_version = context.state.current_version;
  context.report.to_version =
      context.state.pending.empty() ? context.state.current_version : context.state.pending.back()->version;
  step.ok(std::to_string(context.state.applied.size()) + " applied, " + std::to_string(context.state.pending.size()) +
          " pending, " + std::to_string(context.state.problems.size()) + " problems");
}

// A migsafe killed mid-run leaves its run "running". At a migration boundary (every file either
// committed with its ledger row or not at all) the next run notes it and goes on from the last
// applied version. A file whose statements partly committed, or a restore under way: refuse and
// say exactly how to go back or on.
void refuse_partly_applied(const Context& context, const pg::InterruptedRun& run) {
  const std::string pipeline = context.pipeline.file.string();
  const std::string where = run.restoring ? "while restoring its backup after a failure"
                                          : "inside " + util::join(run.partial);
  throw Error(Exit::refused,
              "run " + run.run_id + " (started " + run.started_at + " on " + run.host + ") was interrupted " + where +
                  ": the database is partly migrated. With the same target as this run:\n"
                  "  to return to the state before it:  migsafe backup restore " + pipeline + " --id " +
                  run.backup_id + " --yes\n  to go on from where it stopped:   migsafe run " + pipeline + " --resume");
}

// A statement of a non-transactional file was cut by the kill: nothing of it committed, but a
// concurrent index build leaves an INVALID index, which would fail (or be skipped by) the re-run.
void drop_cut_build(Context& context, const pg::InterruptedRun& run) {
  if (!run.cut_statement) return;
  for (const auto& name : pg::drop_new_invalid_indexes(*context.control, run.invalid_before)) {
    context.report.warnings.push_back("dropped the INVALID index " + name + " that interrupted run " + run.run_id +
                                      " left");
  }
}

void settle_interrupted_runs(Context& context) {
  for (const auto& run : pg::find_interrupted_runs(*context.control)) {
    if (run.partly_applied() && !context.options.resume) refuse_partly_applied(context, run);
    if (!run.partly_applied() || context.options.resume) drop_cut_build(context, run);
    for (const auto& [version, statement] : run.committed_through) context.resume_after[version] = statement;
    pg::mark_run(*context.control, run.run_id, "interrupted");
    context.report.warnings.push_back(
        "run " + run.run_id + " was interrupted " +
        (run.applied.empty() ? "before it committed anything" : "after committing " + util::join(run.applied)) +
        "; marked as interrupted, this run goes on from version " + context.state.current_version +
        (run.backup_id.empty() ? "" : " (its pre-run backup " + run.backup_id + " stays in the store)"));
  }
}

void refuse_on_problems(Context& context) {
  if (context.state.problems.empty()) return;
  if (context.options.allow_changed) {
    for (const auto& p : context.state.problems) context.report.warnings.push_back(p.kind + ": " + p.message);
    return;
  }
  throw Error(Exit::refused, "the migration history does not match the files; nothing was changed:" +
                                 problems_text(context.state) +
                                 "\n(restore the files, or pass --allow-changed if this is intended)");
}

std::string ci_url() {
  const char* server = getenv("GITHUB_SERVER_URL");
  const char* repo = getenv("GITHUB_REPOSITORY");
  const char* run = getenv("GITHUB_RUN_ID");
  if (!server || !repo || !run) return "";
  return std::string(server) + "/" + repo + "/actions/runs/" + run;
}

void start_ledger(Context& context) {
  pg::ensure_history_tables(*context.control, context.pipeline.database.supabase);
  char host[256] = {0};
  gethostname(host, sizeof host - 1);
  pg::record_run_start(*context.control, pg::RunRecord{context.report.run_id, context.pipeline.name, host, ci_url(),
                                                       "", context.state.current_version, ""});
  context.ledger_started = true;
}

// ", committed after V1_name, V2_name" for an atomic run that passed commit points.
std::string commit_points_text(const Context& context) {
  std::string text;
  for (const auto& m : context.report.migrations) {
    if (m.commit_after.empty() || m.status != report::MigrationStatus::applied) continue;
    if (&m == &context.report.migrations.back()) continue;
    text += (text.empty() ? ", committed after " : ", ") + m.version + "_" + m.name;
  }
  return text;
}

MigrateOutcome migrate_step(Context& context) {
  StepTimer step(context, "migrate");
  MigrateOutcome outcome;
  try {
    outcome = apply_migrations(context);
  } catch (const pg::QueryError& e) {
    outcome.ok = false;
    outcome.failure = std::string("migration session failed: ") + e.what();
    // Per-migration runs commit as they go; an atomic run may have passed a commit point.
    outcome.committed_any = context.report.mode != report::Mode::atomic || !context.applied_this_run.empty();
  }
  if (outcome.ok) step.ok(std::to_string(context.report.migrations.size()) + " applied (" + to_string(context.report.mode) +
                          commit_points_text(context) + ")");
  else if (commit_points_text(context).empty()) step.failed(outcome.failure);
  else step.failed(outcome.failure + " (" + commit_points_text(context).substr(2) + ": restored from the backup)");
  return outcome;
}

// Verification and RLS checks after the migrations: inside the open transaction in an atomic
// run, so a failing check rolls the migrations back with it.
void check_step(Context& context, MigrateOutcome& outcome) {
  const bool inside = context.report.mode == report::Mode::atomic;
  try {
    ChecksOutcome verify = run_verify(context, inside, true);
    ChecksOutcome rls = context.pipeline.rls.enabled ? run_rls(context, inside) : ChecksOutcome{};
    for (const auto* failed : {&verify, &rls}) {
      for (const auto& line : failed->failures) context.report.errors.push_back(line);
    }
    if (verify.ok && rls.ok) return;
    outcome.failure = "verification failed";
  } catch (const pg::QueryError& e) {
    outcome.failure = std::string("checks failed: ") + e.what();
    context.report.errors.push_back(outcome.failure);
  }
  outcome.ok = false;
  outcome.committed_any = outcome.committed_any || !inside;  // an atomic run may have passed a commit point
}

// When the connection drops during COMMIT nobody knows whether it happened: the ledger rows this
// run wrote in the same transaction tell, once a new session can look.
bool commit_happened(Context& context) {
  auto session = open_session(context.target, "migsafe verify " + context.report.run_id);
  auto rows = session->query("select count(*) from migsafe.migrations where run_id = $1", {context.report.run_id});
  return rows.scalar() == std::to_string(context.report.migrations.size());
}

void commit_step(Context& context, MigrateOutcome& outcome) {
  if (context.report.mode != report::Mode::atomic) return;
  try {
    finish_atomic(context, true);
  } catch (const pg::QueryError& e) {  // e.g. a deferred constraint: the transaction is gone
    if (e.connection_lost()) {
      try {
        if (commit_happened(context)) {
          context.report.warnings.push_back("the connection dropped during COMMIT; the ledger shows it committed");
          for (auto& m : context.report.migrations) context.applied_this_run.push_back(m.version);
          return;
        }
      } catch (const Error&) {
        // Still unreachable: recovery below reports what it can verify.
      }
    }
    outcome.ok = false;
    outcome.failure = std::string("COMMIT failed: ") + e.what();
    context.report.errors.push_back(outcome.failure);
  }
}

// What the run made, object by object: the baseline `drift` compares with until the next run.
void store_run_snapshot(Context& context) {
  try {
    pg::store_live_snapshot(*context.control, pg::kSnapshotOfRun, context.report.run_id,
                            context.report.backup.is_object() ? context.report.backup.value("backup_id", "") : "",
                            context.pipeline.database.schemas, true);
  } catch (const std::exception& e) {
    context.report.warnings.push_back(std::string("the schema snapshot after the run could not be stored (drift "
                                                  "compares with the one before): ") + e.what());
  }
}

void migrate_and_settle(Context& context, Stage& stage) {
  choose_mode(context);
  MigrateOutcome outcome = migrate_step(context);
  if (outcome.ok && !outcome.dry_run_stopped) check_step(context, outcome);
  if (outcome.ok && context.options.dry_run) {
    end_dry_run(context);
    return;
  }
  if (outcome.ok) {
    context.fault_point("commit");
    commit_step(context, outcome);
  }
  if (outcome.ok) {
    stage = Stage::done;
    context.report.status = report::RunStatus::succeeded;
    context.report.exit_code = 0;
    store_run_snapshot(context);
    prune_backups(context);
    return;
  }
  bool located = false;  // a migration error is shown with its file:line already
  for (const auto& m : context.report.migrations) located = located || m.error.has_value();
  if (!located && context.report.errors.empty()) context.report.errors.push_back(outcome.failure);
  recover(context, outcome);
}

}  // namespace

std::string new_run_id() {
  std::time_t now = std::time(nullptr);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", std::gmtime(&now));
  std::random_device rd;
  char suffix[16];
  std::snprintf(suffix, sizeof suffix, "%06x", rd() & 0xffffff);
  return std::string(stamp) + "-" + suffix;
}

void inspect(Context& context) {
  load_files(context);
  connect(context, false);
  read_history_step(context);
  if (pg::run_lock_free(*context.control)) context.interrupted = pg::find_interrupted_runs(*context.control);
  choose_mode(context);
}

// The after-run hook runs on every way out once the run holds the lock, except when there was
// nothing to do and when `before` failed (its counterpart never started).
bool after_hook_due(const Context& context) {
  if (context.report.status == report::RunStatus::nothing_to_do) return false;
  for (const auto& hook : context.report.hooks) {
    if (hook.value("name", "") == "before" && hook.value("exit_code", -1) != 0) return false;
  }
  return true;
}

// Everything before the first change: history, snapshot, backup. False when there is nothing to do.
bool prepare(Context& context) {
  read_history_step(context);
  settle_interrupted_runs(context);
  refuse_on_problems(context);
  if (context.state.pending.empty()) return false;
  check_drift_before_run(context);
  run_before_hook(context);
  if (!context.options.dry_run) start_ledger(context);
  take_snapshot(context, !context.options.dry_run);
  throw_if_interrupted();
  if (context.options.dry_run && context.options.no_backup) {
    context.report.backup_skipped = true;
    StepTimer(context, "backup").skipped("--no-backup: a dry run changes nothing to restore");
  } else {
    take_backup(context);
    if (!context.options.dry_run) {
      pg::record_run_backup(*context.control, context.report.run_id, context.report.backup.value("backup_id", ""),
                            context.report.to_version);
      record_backup_snapshot(context, context.report.backup.value("backup_id", ""));
    }
  }
  throw_if_interrupted();
  return true;
}

void run(Context& context) {
  load_files(context);
  connect(context, true);
  take_run_lock(context);
  // From here on every way out settles the run: report, ledger row, after-run hook, lock.
  Stage stage = Stage::prepare;
  bool ready = false;
  try {
    ready = prepare(context);
    if (ready) {
      stage = Stage::change;
      migrate_and_settle(context, stage);
    }
  } catch (...) {
    settle_exception(context, stage, std::current_exception());
  }
  if (!ready && context.report.status == report::RunStatus::unset) {
    context.report.status = report::RunStatus::nothing_to_do;
    context.report.exit_code = 0;
  }
  finish_run(context, after_hook_due(context));
}

}  // namespace migsafe::pipeline
