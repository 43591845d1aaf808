#include "pipeline/statement_batch.hpp"

#include <algorithm>

#include "pg/lock_impact.hpp"
#include "pipeline/lock_retry.hpp"
#include "sql/transaction_safety.hpp"
#include "util/duration.hpp"
#include "util/interrupt.hpp"
#include "util/strings.hpp"

namespace migsafe::pipeline {
namespace {

// Bounded so that a batch's text and results stay modest in memory (a single bigger statement goes alone).
constexpr size_t kBatchStatements = 200;
constexpr size_t kBatchBytes = size_t{256} << 10;

// The clock reads, prepared once per session (a parse and plan saved per statement). The first of
// a batch also notes the time in a transaction-local setting, from which the ledger row written at
// the end of the same round trip takes the migration's time on the server.
constexpr const char* kClockRead = "migsafe_clock";
constexpr const char* kBatchStartRead = "migsafe_batch_start";
constexpr const char* kBatchStarted = "migsafe.batch_started";

// The milliseconds since the batch's first read (0 outside one), as the ledger row adds them.
std::string since_batch_start_ms_sql() {
  return std::string("coalesce(pg_catalog.round(extract(epoch from pg_catalog.clock_timestamp() - "
                     "nullif(pg_catalog.current_setting('") + kBatchStarted +
         "', true), '')::pg_catalog.timestamptz) * 1000), 0)";
}

void prepare_reads(pg::Session& session) {
  const std::string clock_read = pg::clock_read_sql();
  session.prepare(kClockRead, clock_read);
  session.prepare(kBatchStartRead, clock_read + ", pg_catalog.set_config('" + kBatchStarted +
                                       "', pg_catalog.clock_timestamp()::pg_catalog.text, true)");
}

std::vector<std::string> timeout_statements(const config::Pipeline& p, bool local) {
  const std::string scope = local ? "SET LOCAL " : "SET ";
  return {scope + "lock_timeout = '" + util::format_duration(migration_lock_timeout(p)) + "'",
          scope + "statement_timeout = '" + util::format_duration(p.database.statement_timeout) + "'"};
}

// See record_migration; inside a transaction the timeouts come back as SET LOCAL (a RESET there
// is undone by a rollback along with the migration).
std::vector<pg::Session::BatchPiece> record_and_reset(Context& context, const config::MigrationFile& file,
                                                      const SplitMigration& split, long long duration_ms,
                                                      bool in_transaction) {
  const pg::AppliedMigration row{file.version, file.name, file.checksum, "", context.report.run_id,
                                 context.report.backup.is_object() ? context.report.backup.value("backup_id", "") : ""};
  std::vector<pg::Session::BatchPiece> out;
  for (auto& s : context.work->role_reset_statements()) out.push_back({std::move(s)});
  for (auto& piece : pg::record_applied(*context.work, context.pipeline.database.supabase, row, split.recorded,
                                        duration_ms, since_batch_start_ms_sql())) {
    out.push_back(std::move(piece));
  }
  for (auto& s : context.work->settings_reset_statements()) out.push_back({std::move(s)});
  for (auto& s : timeout_statements(context.pipeline, in_transaction)) out.push_back({std::move(s)});
  return out;
}

// One batch of `file`'s statements, after `opening` and before `tail` in the same round trip (an
// error in either is not the migration's: it is thrown).
std::optional<report::MigrationError> run_batch(Context& context, const config::MigrationFile& file,
                                                const std::vector<const sql::Statement*>& statements,
                                                bool read_last, const std::vector<std::string>& opening,
                                                const std::vector<pg::Session::BatchPiece>& tail) {
  const auto& safety = context.pipeline.safety;
  const std::vector<bool> plan = context.impact.plan_reads(statements.size(), safety, read_last);
  prepare_reads(*context.work);
  std::vector<pg::Session::BatchPiece> pieces;
  for (const auto& statement : opening) pieces.push_back({statement});
  const size_t first = pieces.size() + 1;  // the piece of the first statement
  pieces.push_back({kBatchStartRead, true, true});
  for (size_t i = 0; i < statements.size(); ++i) {
    const std::string words = sql::transaction_control_words(statements[i]->text);
    const bool drops = words.rfind("DEALLOCATE", 0) == 0 || words.rfind("DISCARD", 0) == 0;
    pieces.push_back({statements[i]->text, false, false, {}, drops});
    if (!plan.empty() && plan[i]) pieces.push_back(context.impact.read_piece());
    else pieces.push_back({kClockRead, true, true});
  }
  pieces.insert(pieces.end(), tail.begin(), tail.end());
  const auto sent = std::chrono::steady_clock::now();
  if (context.lock_watch) context.lock_watch->begin();
  const pg::Session::BatchOutcome outcome = context.work->run_batch(pieces);
  if (context.lock_watch) context.lock_watch->end();

  const std::string shown = display_path(file.path);
  // reads[0] is the clock before the first statement; reads[i + 1] follows statement i.
  auto clock_at = [&](size_t read) { return pg::read_clock_ms(outcome.reads.at(read)).value_or(0.0); };
  // A failing opening or lead read stops the batch before any statement ran: thrown.
  if (outcome.error && outcome.failed < first) throw pg::QueryError(*outcome.error);
  // The statement an error belongs to (a failing tail lies past the last one).
  const size_t failed = outcome.error ? (outcome.failed - first) / 2 : statements.size();
  for (size_t i = 0; i < statements.size(); ++i) {
    const sql::Statement& statement = *statements[i];
    if (i == failed) {
      pg::SqlError error = *outcome.error;
      if (outcome.failed != first + 2 * i) error.position = 0;
      return locate_error(file, statement, error);
    }
    // No read came back: a syntax error further on stopped the whole batch before it ran.
    if (outcome.reads.size() < i + 2) {
      if (outcome.error) continue;
      throw pg::QueryError(pg::SqlError{"08P01", "the server returned no result for a migration statement", "", "", "", 0});
    }
    const double begun = clock_at(i) - clock_at(0), took = clock_at(i + 1) - clock_at(i);
    const auto started = sent + std::chrono::microseconds(static_cast<long long>(begun * 1000));
    if (auto refused = context.impact.after_statement({shown, statement.line, statement.text}, started,
                                                      static_cast<long long>(took), safety, context.report.impact,
                                                      !plan.empty() && plan[i] ? &outcome.reads[i + 1] : nullptr)) {
      return locate_error(file, statement, pg::SqlError{"", *refused, "", "", "", 0});
    }
  }
  if (outcome.error) throw pg::QueryError(*outcome.error);  // in the tail
  return std::nullopt;
}

}  // namespace

std::vector<std::string> begin_statements(const config::Pipeline& p) {
  std::vector<std::string> out = {"BEGIN"};
  for (auto& statement : timeout_statements(p, true)) out.push_back(std::move(statement));
  return out;
}

std::string set_timeouts_sql(const config::Pipeline& p) { return util::join(timeout_statements(p, false), ";\n"); }

std::optional<report::MigrationError> run_statements(Context& context, const config::MigrationFile& file,
                                                     const SplitMigration& split, bool ends_transaction,
                                                     std::chrono::steady_clock::time_point started,
                                                     const std::vector<std::string>& opening) {
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
    // The ledger's duration is the server's: the migration's time up to this round trip, plus
    // this round trip's up to the row.
    const bool inside = context.work->in_transaction() || !opening.empty();  // the opening is a BEGIN
    const auto tail = last ? record_and_reset(context, file, split, elapsed_ms(started), inside)
                           : std::vector<pg::Session::BatchPiece>{};
    const bool first = next == batch.size();
    if (auto error = run_batch(context, file, batch, last && ends_transaction, first ? opening : std::vector<std::string>{},
                               tail)) {
      return error;
    }
    if (todo.empty()) break;
  }
  return std::nullopt;
}

void record_migration(Context& context, const config::MigrationFile& file, const SplitMigration& split,
                      long long duration_ms) {
  const auto outcome =
      context.work->run_batch(record_and_reset(context, file, split, duration_ms, context.work->in_transaction()));
  if (outcome.error) throw pg::QueryError(*outcome.error);
}

}  // namespace migsafe::pipeline
