// Reader for `[safety]`: the thresholds that grade lock-impact findings, and what those findings
// do to the run. Kept apart from the check tables because it is about the migrations themselves.
#include <climits>
#include <limits>

#include "config/pipeline_sections.hpp"

namespace migsafe::config::detail {
namespace {

// One entry of `safety.ignore`; a reason is required, as in `[rls]`.
SafetyIgnore read_safety_ignore(const TableReader& table) {
  table.allow_only({"rule", "object", "reason"});
  SafetyIgnore ignore;
  ignore.rule = table.required_string("rule");
  ignore.object = table.required_string("object");
  ignore.reason = table.required_string("reason");
  if (table.find("reason") && ignore.reason.find_first_not_of(" \t") == std::string::npos) {
    table.error("reason", "an ignore needs a reason");
  }
  ignore.pos = table.pos();
  return ignore;
}

}  // namespace

Safety read_safety(const TableReader& table) {
  table.allow_only({"measure", "lock_timeout", "lock_retries", "max_exclusive_lock", "fail_on", "large_table_rows", "large_table_bytes",
                    "ignore"});
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  Safety safety;
  set_if(safety.measure, table.boolean("measure"));
  safety.lock_timeout = table.duration("lock_timeout", std::chrono::milliseconds{INT_MAX});
  if (auto retries = table.integer("lock_retries", 0, 1000)) safety.lock_retries = static_cast<int>(*retries);
  safety.max_exclusive_lock = table.duration("max_exclusive_lock", std::chrono::milliseconds{INT_MAX});
  set_if(safety.fail_on, table.choice<RlsFailOn>("fail_on", {{"error", RlsFailOn::error}, {"warn", RlsFailOn::warn}}));
  set_if(safety.large_table_rows, table.integer("large_table_rows", 0, kMax));
  set_if(safety.large_table_bytes, table.integer("large_table_bytes", 0, kMax));
  for (const TableReader& entry : table.tables("ignore")) safety.ignore.push_back(read_safety_ignore(entry));
  return safety;
}

}  // namespace migsafe::config::detail
