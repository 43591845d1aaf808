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

bool fails_run(const nlohmann::json& finding, config::RlsFailOn fail_on) {
  const std::string level = finding.value("level", "");
  if (level == "error") return true;
  return fail_on == config::RlsFailOn::warn && level == "warn";
}

}  // namespace migsafe::impact
