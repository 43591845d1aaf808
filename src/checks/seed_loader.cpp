// Seeds run statement by statement in a savepoint per file: the CLI's batch is one implicit
// transaction, so a failing statement leaves nothing of its file behind. They run inside the run's
// transaction, so a seed's own BEGIN ... COMMIT wrapper is left out (its COMMIT would commit the
// migrations before the checks), and transaction control elsewhere in it is refused, as in a
// migration file.
#include "checks/seed_loader.hpp"
#include "core/error.hpp"

#include "checks/psql_file_run.hpp"
#include "sql/migration_body.hpp"
#include "util/interrupt.hpp"

namespace migsafe::checks {

nlohmann::json SeedResult::to_json() const {
  return {{"file", file},
          {"statements", statements},
          {"status", error ? "failed" : "loaded"},
          {"error", error ? error->to_json() : nlohmann::json()}};
}

std::vector<SeedResult> load_seeds(pg::Session& session, const std::vector<std::filesystem::path>& files,
                                   const std::function<std::string(const std::filesystem::path&)>& display) {
  std::vector<SeedResult> results;
  for (const auto& path : files) {
    SeedResult result;
    result.file = display(path);
    std::string read_error;
    std::optional<std::string> text = read_test_file(path, read_error);
    if (!text) {
      result.error = SqlFailure{};
      result.error->message = "cannot read seed file: " + read_error;
      result.error->file = result.file;
      results.push_back(std::move(result));
      break;
    }
    const sql::MigrationBody body = sql::migration_body(*text);
    if (!body.refusals.empty()) {
      const sql::Refusal& refusal = body.refusals.front();
      result.error = SqlFailure{};
      result.error->message = refusal.message;
      result.error->file = result.file;
      result.error->line = refusal.line;
      result.error->column = refusal.column;
      results.push_back(std::move(result));
      break;
    }
    session.exec("SAVEPOINT migsafe_seed");
    for (const auto& statement : body.statements) {
      throw_if_interrupted();
      ++result.statements;
      if (auto error = session.try_exec(statement.text)) {
        result.error = locate_failure(*error, *text, statement, result.file);
        break;
      }
    }
    session.exec(result.error ? "ROLLBACK TO SAVEPOINT migsafe_seed; RELEASE SAVEPOINT migsafe_seed"
                              : "RELEASE SAVEPOINT migsafe_seed");
    const bool failed = result.error.has_value();
    results.push_back(std::move(result));
    if (failed) break;
  }
  return results;
}

}  // namespace migsafe::checks
