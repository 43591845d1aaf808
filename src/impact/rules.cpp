// Size-aware rules: the same statement is harmless on an empty or brand-new table and an outage on
// a big one, so each rule looks at what was measured, not only at the SQL text.
#include "impact/rules.hpp"

#include <regex>

namespace migsafe::impact {
namespace {

// CREATE [UNIQUE] INDEX without CONCURRENTLY, after any leading comments.
bool is_plain_create_index(const std::string& statement) {
  static const std::regex create_index(R"(^(\s|--[^\n]*\n|/\*[\s\S]*?\*/)*create\s+(unique\s+)?index\s)",
                                       std::regex::icase);
  static const std::regex concurrently(R"(^(\s|--[^\n]*\n|/\*[\s\S]*?\*/)*create\s+(unique\s+)?index\s+concurrently\b)",
                                       std::regex::icase);
  return std::regex_search(statement, create_index) && !std::regex_search(statement, concurrently);
}

bool matches(const std::string& statement, const char* pattern) {
  return std::regex_search(statement, std::regex(pattern, std::regex::icase));
}

bool is_table(const MeasuredRelation& relation) {
  return relation.kind == "table" || relation.kind == "partitioned table";
}

nlohmann::json finding(const char* rule, const MeasuredRelation& relation, const std::string& message,
                       const std::string& remediation) {
  return {{"rule", rule}, {"level", "warn"}, {"object", relation.name}, {"message", message}, {"remediation", remediation}};
}

std::string size_text(const MeasuredRelation& relation) {
  return "~" + std::to_string(static_cast<long long>(relation.rows)) + " rows, " + std::to_string(relation.bytes) +
         " bytes";
}

}  // namespace

bool is_large(const MeasuredRelation& relation, const config::Safety& safety) {
  return relation.rows > static_cast<double>(safety.large_table_rows) || relation.bytes > safety.large_table_bytes;
}

std::optional<nlohmann::json> index_without_concurrently(const std::string& statement, const MeasuredRelation& relation,
                                                         const config::Safety& safety) {
  if (relation.mode != "ShareLock" || relation.created_in_run) return std::nullopt;
  if (relation.kind != "table" && relation.kind != "partitioned table" && relation.kind != "materialized view") {
    return std::nullopt;
  }
  if (!is_large(relation, safety) || !is_plain_create_index(statement)) return std::nullopt;
  return nlohmann::json{
      {"rule", kIndexWithoutConcurrently},
      {"level", "warn"},
      {"object", relation.name},
      {"message", "CREATE INDEX without CONCURRENTLY holds a SHARE lock on " + relation.name + " (" +
                      size_text(relation) + "), blocking every write to it until the index is built"},
      {"remediation", "CREATE INDEX CONCURRENTLY in a migration of its own (it cannot run in a transaction)"}};
}

std::vector<nlohmann::json> statement_findings(const std::string& statement, const MeasuredRelation& relation,
                                               bool rewritten, const config::Safety& safety) {
  std::vector<nlohmann::json> out;
  if (relation.created_in_run || !is_table(relation)) return out;
  const bool large = is_large(relation, safety);
  const bool exclusive = relation.mode == "AccessExclusiveLock";
  const std::string size = " (" + size_text(relation) + ")";
  if (large && rewritten && matches(statement, R"(\badd\s+(column\s+)?[\s\S]*\bdefault\b)")) {
    out.push_back(finding("volatile_default_rewrite", relation,
                          "ADD COLUMN with a volatile default rewrote " + relation.name + size +
                              " under an ACCESS EXCLUSIVE lock: no query could use it until the rewrite ended",
                          "add the column without a default (or with a constant one), backfill it in batches, "
                          "then SET DEFAULT for new rows"));
  }
  if (large && rewritten && matches(statement, R"(\balter\s+(column\s+)?\S+\s+(set\s+data\s+)?type\b)")) {
    out.push_back(finding("column_type_rewrite", relation,
                          "ALTER COLUMN ... TYPE rewrote " + relation.name + size +
                              " and its indexes under an ACCESS EXCLUSIVE lock",
                          "expand/contract: add a column of the new type, backfill it in batches, switch the app "
                          "over, then drop the old column"));
  }
  // Measured: with a validated CHECK (col IS NOT NULL) PostgreSQL proves it without reading the table.
  if (large && exclusive && relation.scanned && matches(statement, R"(\bset\s+not\s+null\b)")) {
    out.push_back(finding("set_not_null_scan", relation,
                          "SET NOT NULL scans all of " + relation.name + size +
                              " under an ACCESS EXCLUSIVE lock (no validated CHECK (col IS NOT NULL) proved it)",
                          "ADD CONSTRAINT ... CHECK (col IS NOT NULL) NOT VALID; VALIDATE CONSTRAINT in a later "
                          "migration; then SET NOT NULL (no scan) and drop the check"));
  }
  if (large && matches(statement, R"(\badd\s+(constraint\s+\S+\s+)?(foreign\s+key|check)\b)") &&
      !matches(statement, R"(\bnot\s+valid\b)")) {
    out.push_back(finding("constraint_without_not_valid", relation,
                          "ADD FOREIGN KEY / CHECK without NOT VALID checks every row of " + relation.name + size +
                              " while holding a lock that blocks writes",
                          "ADD CONSTRAINT ... NOT VALID, then ALTER TABLE ... VALIDATE CONSTRAINT in a later "
                          "migration (SHARE UPDATE EXCLUSIVE: reads and writes go on)"));
  }
  // Holds data: counted rows, or more than the one page an empty table's TOAST index takes.
  const bool in_use = relation.rows > 0 || relation.bytes > 8192;
  if (in_use && exclusive && matches(statement, R"(^\s*alter\s+table\b[\s\S]*\brename\b)")) {
    out.push_back(finding("rename_in_use", relation,
                          "RENAME on " + relation.name + size +
                              ", which holds data: application code still using the old name fails at once",
                          "expand/contract: add the new name (a column kept in sync, or a view for a table), move "
                          "the app over, remove the old name in a later release"));
  }
  // DROP COLUMN, or ALTER TABLE's bare `DROP name` (COLUMN is optional), but not DROP CONSTRAINT,
  // ALTER COLUMN ... DROP DEFAULT / NOT NULL / IDENTITY / EXPRESSION.
  if (in_use && exclusive &&
      (matches(statement, R"(\bdrop\s+column\b)") ||
       matches(statement, R"(^\s*alter\s+table\b[\s\S]*\bdrop\s+(?!(constraint|default|not|identity|expression)\b)\S)"))) {
    out.push_back(finding("drop_column", relation,
                          "DROP COLUMN on " + relation.name + size +
                              ": application code still reading or writing the column fails at once",
                          "stop using the column in the app first (ignore it in the ORM), deploy, then drop it in "
                          "a later migration"));
  }
  return out;
}

std::optional<nlohmann::json> exclusive_lock_over_budget(const std::string& relation, long long held_ms,
                                                         const config::Safety& safety) {
  if (!safety.max_exclusive_lock || held_ms <= safety.max_exclusive_lock->count()) return std::nullopt;
  return nlohmann::json{
      {"rule", kExclusiveLockOverBudget},
      {"level", "warn"},
      {"object", relation},
      {"message", "the transaction held an ACCESS EXCLUSIVE lock on " + relation + " for " + std::to_string(held_ms) +
                      " ms, until it ended, over [safety] max_exclusive_lock (" +
                      std::to_string(safety.max_exclusive_lock->count()) + " ms): every query on it waited"},
      {"remediation", "split the run so the lock is released sooner: put the statement in a migration of its own with "
                      "mode = \"per-migration\", or move the slow migrations and tests after it to a later run"}};
}

bool fails_run(const nlohmann::json& finding, config::RlsFailOn fail_on) {
  const std::string level = finding.value("level", "");
  if (level == "error") return true;
  return fail_on == config::RlsFailOn::warn && level == "warn";
}

}  // namespace migsafe::impact
