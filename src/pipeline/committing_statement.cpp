// Why per statement: a file with CREATE INDEX CONCURRENTLY commits statement by statement; a kill
// between two of them must be visible to the next run (which refuses: the file is half applied),
// and a failed concurrent build must not leave an INVALID index that slows writes and blocks the
// retry's index name.
#include "pipeline/committing_statement.hpp"

#include "pg/history.hpp"
#include "pg/invalid_indexes.hpp"
#include "sql/transaction_safety.hpp"
#include "util/duration.hpp"

namespace migsafe::pipeline {
namespace {

bool builds_concurrently(const std::string& text) {
  return sql::non_transactional_reason(text).find("CONCURRENTLY") != std::string::npos;
}

void set_statement_timeout(Context& context, bool unlimited) {
  const auto& timeout = context.pipeline.database.statement_timeout;
  context.work->exec("SET statement_timeout = '" + (unlimited ? std::string("0") : util::format_duration(timeout)) + "'");
}

}  // namespace

std::optional<pg::SqlError> run_committing_statement(Context& context, const std::string& version, int index,
                                                     const sql::Statement& statement) {
  pg::StatementProgress progress{context.report.run_id, version, index, statement.line, "running",
                                 pg::invalid_indexes(*context.control)};
  pg::record_statement(*context.control, progress);
  context.fault_point("statement:" + version + ":" + std::to_string(index));
  const bool concurrent = builds_concurrently(statement.text);
  if (concurrent) set_statement_timeout(context, true);
  std::optional<pg::SqlError> error = context.work->try_exec(statement.text);
  if (concurrent && context.work->alive()) set_statement_timeout(context, false);
  if (!error) {
    progress.status = "committed";
    pg::record_statement(*context.control, progress);
    return std::nullopt;
  }
  if (context.work->alive()) {
    for (const auto& name : pg::drop_new_invalid_indexes(*context.work, progress.invalid_before)) {
      context.report.warnings.push_back("dropped the INVALID index " + name + " the failed statement at line " +
                                        std::to_string(statement.line) + " of " + version + " left");
    }
  }
  pg::forget_statement(*context.control, progress);
  return error;
}

}  // namespace migsafe::pipeline
