#include "pipeline/migrate.hpp"
#include "core/error.hpp"

#include <algorithm>
#include <filesystem>
#include <functional>

#include "pg/extension_hint.hpp"
#include "pg/lock_impact.hpp"
#include "pipeline/commit_points.hpp"
#include "pipeline/committing_statement.hpp"
#include "pipeline/lock_retry.hpp"
#include "sql/migration_body.hpp"
#include "sql/splitter.hpp"
#include "sql/supabase_split.hpp"
#include "sql/transaction_safety.hpp"
#include "util/duration.hpp"
#include "util/interrupt.hpp"
#include "util/progress.hpp"
#include "util/utf8.hpp"

namespace migsafe::pipeline {
namespace {

// The statements of a file, which of them cannot run in a transaction, and what history records.
struct SplitMigration {
  std::vector<sql::Statement> statements;      // to run: the file's own BEGIN ... COMMIT left out
  std::vector<std::string> non_transactional;  // "line N: reason"
  std::vector<std::string> recorded;           // schema_migrations.statements, as the Supabase CLI writes it
};

SplitMigration split_migration(const config::MigrationFile& file) {
  SplitMigration out;
  out.statements = sql::migration_body(file.sql).statements;  // refusals were reported when the files were read
  out.recorded = sql::supabase_statements(file.sql);
  for (const auto& s : out.statements) {
    std::string reason = sql::non_transactional_reason(s.text);
    if (!reason.empty()) out.non_transactional.push_back("line " + std::to_string(s.line) + ": " + reason);
  }
  return out;
}

std::string display_path(const std::filesystem::path& path) {
  std::error_code ec;
  auto relative = std::filesystem::relative(path, std::filesystem::current_path(), ec);
  if (ec || relative.empty() || relative.native().rfind("..", 0) == 0) return path.string();
  return relative.string();
}

report::MigrationError locate_error(const config::MigrationFile& file, const sql::Statement& statement,
                                    const pg::SqlError& error) {
  size_t offset = statement.offset;
  if (error.position > 0) offset += sql::byte_offset_of_char(statement.text, error.position);
  sql::Position at = sql::position_at(file.sql, offset);
  report::MigrationError e;
  e.sqlstate = error.sqlstate;
  e.message = error.message;
  e.detail = error.detail;
  e.hint = pg::missing_extension_hint(error.message, error.detail).value_or(error.hint);
  e.file = display_path(file.path);
  e.line = at.line;
  e.column = at.column;
  e.statement = util::truncate_chars(statement.text, 200);
  return e;
}

std::vector<std::string> timeout_statements(const config::Pipeline& p, bool local) {
  const std::string scope = local ? "SET LOCAL " : "SET ";
  return {scope + "lock_timeout = '" + util::format_duration(migration_lock_timeout(p)) + "'",
          scope + "statement_timeout = '" + util::format_duration(p.database.statement_timeout) + "'"};
}

std::string joined(const std::vector<std::string>& statements) {
  std::string sql;
  for (const auto& statement : statements) sql += (sql.empty() ? "" : ";\n") + statement;
  return sql;
}

std::string set_timeouts_sql(const config::Pipeline& p, bool local) { return joined(timeout_statements(p, local)); }

// The transaction-local setting in which a batch notes when it started, for the ledger row's duration.
constexpr const char* kBatchStarted = "migsafe.batch_started";

// After a migration's last statement: the session given back its own role (a migration's `set
// role` must not write the ledger row), the migration recorded in history, then the session's
// settings back to the pipeline's (a migration's `search_path` or `set_config(..., false)` must
// not outlive it; inside a transaction the timeouts come back as SET LOCAL, and a RESET there is
// undone by a rollback along with the migration). `duration_ms` is an SQL expression.
std::vector<std::string> reset_and_record_statements(Context& context, const config::MigrationFile& file,
                                                     const std::vector<std::string>& recorded,
                                                     const std::string& duration_ms) {
  const pg::AppliedMigration row{file.version, file.name, file.checksum, "", context.report.run_id,
                                 context.report.backup.is_object() ? context.report.backup.value("backup_id", "") : ""};
  std::vector<std::string> out = context.work->role_reset_statements();
  for (auto& s : pg::record_applied_sql(*context.work, context.pipeline.database.supabase, row, recorded, duration_ms)) {
    out.push_back(std::move(s));
  }
  for (auto& s : context.work->settings_reset_statements()) out.push_back(std::move(s));
  for (auto& s : timeout_statements(context.pipeline, context.work->in_transaction())) out.push_back(std::move(s));
  return out;
}

// A migration's statements go to the server in batches (one round trip each, libpq's pipeline
// mode), every statement followed by a read of the locks it took (when one is due) or of the
// server's clock (to time it). Bounded so that a batch's text and results stay modest in memory
// (a single bigger statement goes alone).
constexpr size_t kBatchStatements = 200;
constexpr size_t kBatchBytes = size_t{256} << 10;

// `tail` runs after the last statement in the same round trip (an error there is not the
// migration's: it is thrown).
std::optional<report::MigrationError> run_batch(Context& context, const config::MigrationFile& file,
                                                const std::vector<const sql::Statement*>& statements,
                                                bool read_last, const std::vector<std::string>& tail) {
  const auto& safety = context.pipeline.safety;
  const std::vector<bool> plan = context.impact.plan_reads(statements.size(), safety, read_last);
  const bool any_read = std::find(plan.begin(), plan.end(), true) != plan.end();
  const std::string lock_read = any_read ? context.impact.read_sql() : "";
  // The clock reads are prepared once per session (a parse and plan saved per statement); the
  // first also notes the start in a transaction-local setting, for the ledger row's duration.
  const std::string clock_read = pg::clock_read_sql();
  context.work->ensure_prepared("migsafe_clock", clock_read);
  context.work->ensure_prepared("migsafe_batch_start", clock_read + ", pg_catalog.set_config('" + kBatchStarted +
                                                           "', pg_catalog.clock_timestamp()::pg_catalog.text, true)");
  std::vector<pg::Session::BatchPiece> pieces{{"migsafe_batch_start", true, true}};
  bool deallocated = false;  // a statement may have ended the prepared reads: the rest go unprepared
  for (size_t i = 0; i < statements.size(); ++i) {
    pieces.push_back({statements[i]->text, false, false});
    const std::string words = sql::transaction_control_words(statements[i]->text);
    deallocated = deallocated || words.rfind("DEALLOCATE", 0) == 0 || words.rfind("DISCARD", 0) == 0;
    if (!plan.empty() && plan[i]) pieces.push_back({lock_read, true, false});
    else pieces.push_back({deallocated ? clock_read : "migsafe_clock", true, !deallocated});
  }
  if (deallocated) context.work->forget_prepared();
  for (const auto& statement : tail) pieces.push_back({statement, false});
  const auto sent = std::chrono::steady_clock::now();
  if (context.lock_watch) context.lock_watch->begin();
  const pg::Session::BatchOutcome outcome = context.work->run_batch(pieces);
  if (context.lock_watch) context.lock_watch->end();

  // reads[0] is the clock before the first statement; reads[i + 1] follows statement i.
  auto clock_at = [&](size_t read) { return pg::read_clock_ms(outcome.reads.at(read)).value_or(0.0); };
  // The statement an error belongs to (a failing tail lies past the last one).
  const size_t failed = outcome.error ? (outcome.failed == 0 ? 0 : (outcome.failed - 1) / 2) : statements.size();
  for (size_t i = 0; i < statements.size(); ++i) {
    const sql::Statement& statement = *statements[i];
    if (i == failed) {
      pg::SqlError error = *outcome.error;
      if (outcome.failed != 2 * i + 1) error.position = 0;
      return locate_error(file, statement, error);
    }
    // No read came back: a syntax error further on stopped the whole batch before it ran.
    if (outcome.reads.size() < i + 2) {
      if (outcome.error) continue;
      throw pg::QueryError(pg::SqlError{"08P01", "the server returned no result for a migration statement", "", "", "", 0});
    }
    const double begun = clock_at(i) - clock_at(0), took = clock_at(i + 1) - clock_at(i);
    const auto started = sent + std::chrono::microseconds(static_cast<long long>(begun * 1000));
    if (auto refused = context.impact.after_statement({display_path(file.path), statement.line, statement.text}, started,
                                                      static_cast<long long>(took), safety, context.report.impact,
                                                      !plan.empty() && plan[i] ? &outcome.reads[i + 1] : nullptr)) {
      return locate_error(file, statement, pg::SqlError{"", *refused, "", "", "", 0});
    }
  }
  if (outcome.error) throw pg::QueryError(*outcome.error);  // in the tail
  return std::nullopt;
}

// Runs the statements of `file`, then `tail` in the round trip of the last of them; returns the
// error, located in the file, if one fails. `ends_transaction`: the last statement is read for
// locks whatever the plan (see Recorder::plan_reads).
std::optional<report::MigrationError> run_statements(Context& context, const config::MigrationFile& file,
                                                     const SplitMigration& split, bool ends_transaction,
                                                     const std::function<std::vector<std::string>()>& tail) {
  std::vector<const sql::Statement*> todo;
  for (const auto& statement : split.statements) {
    if (context.options.dry_run && !sql::non_transactional_reason(statement.text).empty()) continue;
    todo.push_back(&statement);
  }
  for (size_t next = 0; next < todo.size() || (todo.empty() && next == 0);) {
    throw_if_interrupted();
    std::vector<const sql::Statement*> batch;
    size_t bytes = 0;
    while (next < todo.size() && batch.size() < kBatchStatements &&
           (batch.empty() || bytes + todo[next]->text.size() <= kBatchBytes)) {
      bytes += todo[next]->text.size();
      batch.push_back(todo[next++]);
    }
    const bool last = next == todo.size();
    if (auto error = run_batch(context, file, batch, last && ends_transaction, last ? tail() : std::vector<std::string>{}))
      return error;
    if (todo.empty()) break;
  }
  return std::nullopt;
}


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
bool apply_one(Context& context, const config::MigrationFile& file, report::Migration& record, bool ends_transaction) {
  auto start = std::chrono::steady_clock::now();
  SplitMigration split = split_migration(file);
  context.note("  applying " + file.version + "_" + file.name + " (" + std::to_string(split.statements.size()) +
               " statements)");
  // The session reset and the history rows ride with the last statement: if a later check fails
  // the migration, its transaction is rolled back, rows and all. The ledger's duration is the
  // server's: this migration's time up to its last round trip, plus that round trip so far.
  auto error = run_statements(context, file, split, ends_transaction, [&] {
    const std::string so_far = std::to_string(elapsed_ms(start));
    return reset_and_record_statements(
        context, file, split.recorded,
        "(" + so_far + " + coalesce(pg_catalog.round(extract(epoch from pg_catalog.clock_timestamp() - "
        "nullif(pg_catalog.current_setting('" + kBatchStarted + "', true), '')::pg_catalog.timestamptz) * 1000), 0))::bigint");
  });
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
  context.work->exec("BEGIN; " + set_timeouts_sql(context.pipeline, true));
}

// Opens the transaction of an atomic run (again, after a lock_timeout retry).
void open_atomic_transaction(Context& context) {
  context.work->exec("BEGIN; " + set_timeouts_sql(context.pipeline, true));
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
  context.work->exec(set_timeouts_sql(context.pipeline, false));
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
  context.work->exec(joined(reset_and_record_statements(context, file, split.recorded, std::to_string(record.duration_ms))));
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
        context.work->exec("BEGIN; " + set_timeouts_sql(context.pipeline, true));
        ok = apply_one(context, file, record, true);
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
