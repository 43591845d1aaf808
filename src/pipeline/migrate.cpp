#include "pipeline/migrate.hpp"
#include "core/error.hpp"

#include <algorithm>

#include "pipeline/commit_points.hpp"
#include "pipeline/committing_statement.hpp"
#include "pipeline/lock_retry.hpp"
#include "pipeline/migration_source.hpp"
#include "pipeline/statement_batch.hpp"
#include "util/duration.hpp"
#include "util/interrupt.hpp"
#include "util/progress.hpp"
#include "util/strings.hpp"

namespace migsafe::pipeline {
namespace {

// Measures what the lock-impact recorder has not read yet, before the transaction ends; a finding
// that fails the run is located at the migration's last statement.
std::optional<report::MigrationError> flush_impact(Context& context, const config::MigrationFile& file,
                                                   const SplitMigration& split) {
  auto refused = context.impact.flush(*context.work, context.pipeline.safety, context.report.impact);
  if (!refused) return std::nullopt;
  sql::Statement last = split.statements.empty() ? sql::Statement{} : split.statements.back();
  return locate_error(file, last, pg::SqlError{"", *refused, "", "", "", 0});
}

// Applies one migration inside whatever transaction is open; records it in history on success.
// `ends_transaction`: the transaction commits (or a dry run stops) after it.
// `opening`: statements to run first in the same round trip (the BEGIN of its own transaction).
bool apply_one(Context& context, const config::MigrationFile& file, report::Migration& record, bool ends_transaction,
               const std::vector<std::string>& opening = {}) {
  auto start = std::chrono::steady_clock::now();
  SplitMigration split = split_migration(file);
  context.note("  applying " + file.version + "_" + file.name + " (" + std::to_string(split.statements.size()) +
               " statements)");
  auto error = run_statements(context, file, split, ends_transaction, start, opening);
  if (!error && ends_transaction) error = flush_impact(context, file, split);
  record.duration_ms = elapsed_ms(start);
  if (error) {
    record.status = report::MigrationStatus::failed;
    record.error = *error;
    return false;
  }
  record.status = report::MigrationStatus::applied;
  context.fault_point("applied:" + file.version);
  return true;
}

// "2/5", for progress lines.
std::string counter(const Context& context, size_t index) {
  return std::to_string(index + 1) + "/" + std::to_string(context.state.pending.size());
}

std::string failure_line(const report::Migration& m) {
  const auto& e = *m.error;
  return e.file + ":" + std::to_string(e.line) + ":" + std::to_string(e.column) + ": " + e.message +
         (e.sqlstate.empty() ? "" : " (SQLSTATE " + e.sqlstate + ")");
}

// A commit point: commits what the run applied so far and opens the transaction for the rest.
void commit_at(Context& context, size_t index, MigrateOutcome& outcome) {
  const auto& record = context.report.migrations[index];
  context.impact.end_transaction(context.pipeline.safety, context.report.impact, false);
  context.work->exec("COMMIT");
  outcome.committed_any = true;
  for (size_t k = 0; k <= index; ++k) {
    const std::string& version = context.report.migrations[k].version;
    auto& done = context.applied_this_run;
    if (std::find(done.begin(), done.end(), version) == done.end()) done.push_back(version);
  }
  context.note("  committed after " + record.version + "_" + record.name + " (commit point: " + record.commit_after + ")");
  context.fault_point("committed:" + record.version);
  context.work->exec(util::join(begin_statements(context.pipeline), "; "));
}

// Opens the transaction of an atomic run (again, after a lock_timeout retry).
void open_atomic_transaction(Context& context) {
  context.work->exec(util::join(begin_statements(context.pipeline), "; "));
  // A dry run records nothing for good, but runs the history inserts too, inside its transaction.
  if (context.options.dry_run) pg::ensure_history_tables(*context.work, context.pipeline.database.supabase);
}

MigrateOutcome apply_atomic(Context& context) {
  MigrateOutcome outcome;
  open_atomic_transaction(context);
  util::Progress progress("migrate", context.options.progress);
  size_t first = 0;  // the first migration of the open transaction
  int retries = 0;   // lock_timeout retries of the open transaction
  auto mark = context.impact.mark(context.report.impact);
  for (size_t i = 0; i < context.state.pending.size(); ++i) {
    auto& record = context.report.migrations[i];
    const auto* file = context.state.pending[i];
    progress.show(counter(context, i) + " " + file->version + "_" + file->name, true);
    const bool ends = !record.commit_after.empty() || i + 1 == context.state.pending.size();
    if (!apply_one(context, *file, record, ends)) {
      if (retry_after_lock_timeout(context, record, retries, "the transaction")) {
        // Rolled back: every migration of the transaction runs again, in a new one.
        for (size_t k = first; k <= i; ++k) {
          context.report.migrations[k].status = report::MigrationStatus::pending;
          context.report.migrations[k].error.reset();
          context.report.migrations[k].duration_ms = 0;
        }
        context.impact.rewind(mark, context.report.impact);
        open_atomic_transaction(context);
        i = first - 1;  // wraps to first with the loop's ++i
        continue;
      }
      outcome.ok = false;
      outcome.failure = failure_line(record);
      break;
    }
    if (record.commit_after.empty() || i + 1 == context.state.pending.size()) continue;
    if (context.options.dry_run) {  // a dry run cannot commit, so what follows cannot be tried
      outcome.dry_run_stopped = true;
      context.report.warnings.push_back("dry run stopped after " + file->version + "_" + file->name +
                                        ": a real run commits there (" + record.commit_after +
                                        "); the migrations after it and the checks were not tried");
      break;
    }
    commit_at(context, i, outcome);
    first = i + 1;
    retries = 0;
    mark = context.impact.mark(context.report.impact);
  }
  return outcome;
}

// Runs a migration whose statements cannot all run in a transaction: each statement commits alone.
bool apply_outside_transaction(Context& context, const config::MigrationFile& file, report::Migration& record,
                               bool& committed_any) {
  context.work->exec(set_timeouts_sql(context.pipeline));
  auto start = std::chrono::steady_clock::now();
  SplitMigration split = split_migration(file);
  // --resume after a run that died inside this file: its first statements committed already.
  const int done = context.resume_after.count(file.version) ? context.resume_after.at(file.version) : 0;
  if (done > 0) {
    context.report.warnings.push_back(file.version + "_" + file.name + ": resumed after statement " +
                                      std::to_string(done) + ", which the interrupted run committed");
  }
  int index = 0;
  for (const auto& statement : split.statements) {
    throw_if_interrupted();
    if (index < done) {
      ++index;
      continue;
    }
    if (auto error = run_committing_statement(context, file.version, ++index, statement)) {
      record.status = report::MigrationStatus::failed;
      record.error = locate_error(file, statement, *error);
      record.duration_ms = elapsed_ms(start);
      return false;
    }
    committed_any = true;
  }
  record.duration_ms = elapsed_ms(start);
  record_migration(context, file, split, record.duration_ms);
  record.status = report::MigrationStatus::applied;
  return true;
}

MigrateOutcome apply_per_migration(Context& context) {
  MigrateOutcome outcome;
  util::Progress progress("migrate", context.options.progress);
  for (size_t i = 0; i < context.state.pending.size(); ++i) {
    const auto& file = *context.state.pending[i];
    auto& record = context.report.migrations[i];
    progress.show(counter(context, i) + " " + file.version + "_" + file.name, true);
    bool ok;
    if (!record.non_transactional.empty()) {
      ok = apply_outside_transaction(context, file, record, outcome.committed_any);
    } else {
      int retries = 0;
      const auto mark = context.impact.mark(context.report.impact);
      for (;;) {
        ok = apply_one(context, file, record, true, begin_statements(context.pipeline));
        if (ok) context.impact.end_transaction(context.pipeline.safety, context.report.impact, false);
        context.work->exec(ok ? "COMMIT" : "ROLLBACK");
        if (ok || !retry_after_lock_timeout(context, record, retries, "the migration")) break;
        record.status = report::MigrationStatus::pending;
        record.error.reset();
        context.impact.rewind(mark, context.report.impact);
      }
      if (ok) outcome.committed_any = true;
    }
    if (!ok) {
      outcome.ok = false;
      outcome.failure = failure_line(record);
      return outcome;
    }
    context.applied_this_run.push_back(file.version);
    context.fault_point("committed:" + file.version);
  }
  return outcome;
}

// Marks the migrations after which an atomic run must commit, and says so in mode_reason.
void plan_commits(Context& context) {
  std::vector<CommitPoint> points = plan_commit_points(context.state.pending);
  if (points.empty()) return;
  std::string list;
  for (const CommitPoint& point : points) {
    context.report.migrations[point.after].commit_after = point.reason;
    list += (list.empty() ? "" : "; ") + point.version + "_" + point.name + " (" + point.reason + ")";
  }
  const std::string how = context.options.dry_run
                              ? "a dry run cannot commit, so it stops at the first commit point"
                              : "one transaction between commit points; a failure after one is undone from the backup";
  context.report.mode_reason += (context.report.mode_reason.empty() ? "" : "; ") + std::string("commits after ") + list +
                                "; " + how;
}

}  // namespace

void choose_mode(Context& context) {
  bool per_migration = context.pipeline.migrations.mode == config::MigrationMode::per_migration;
  context.report.mode_reason = per_migration ? "pipeline sets mode = \"per-migration\"" : "";
  context.report.migrations.clear();
  for (const auto* file : context.state.pending) {
    report::Migration record = migration_record(*file, report::MigrationStatus::pending);
    record.non_transactional = split_migration(*file).non_transactional;
    if (context.options.dry_run) {
      record.not_run = record.non_transactional;  // reported as "would run outside a transaction"
      context.report.migrations.push_back(std::move(record));
      continue;
    }
    if (!record.non_transactional.empty() && !per_migration) {
      per_migration = true;
      context.report.mode_reason = display_path(file->path) + " " + record.non_transactional.front() +
                                   ", so each migration commits on its own";
    }
    context.report.migrations.push_back(std::move(record));
  }
  if (context.options.dry_run) {
    per_migration = false;
    context.report.mode_reason = "dry run: one transaction, rolled back at the end";
  }
  if (!per_migration) plan_commits(context);
  context.report.mode = per_migration ? report::Mode::per_migration : report::Mode::atomic;
  context.report.lock_timeout = util::format_duration(migration_lock_timeout(context.pipeline));
  context.report.statement_timeout = util::format_duration(context.pipeline.database.statement_timeout);
}

MigrateOutcome apply_migrations(Context& context) {
  pg::Session::CancelOnInterrupt cancel(*context.work);
  context.impact.start(*context.work, context.pipeline.safety);
  start_lock_watch(context);
  struct StopLockWatch {  // the watch's thread and session end with the migrate step
    Context& context;
    ~StopLockWatch() { context.lock_watch.reset(); }
  } stop_lock_watch{context};
  return context.report.mode == report::Mode::atomic ? apply_atomic(context) : apply_per_migration(context);
}

void finish_atomic(Context& context, bool commit) {
  if (!context.work->in_transaction()) return;
  if (commit) context.impact.end_transaction(context.pipeline.safety, context.report.impact, false);
  context.work->exec(commit ? "COMMIT" : "ROLLBACK");
  if (!commit) return;
  for (auto& m : context.report.migrations) {
    auto& done = context.applied_this_run;
    if (m.status == report::MigrationStatus::applied && std::find(done.begin(), done.end(), m.version) == done.end()) done.push_back(m.version);
  }
}

}  // namespace migsafe::pipeline
