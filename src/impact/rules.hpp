// The `[safety]` rules that grade a measured statement by the size of what it locked.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/pipeline.hpp"

namespace migsafe::impact {

// A locked relation as the rules see it.
struct MeasuredRelation {
  std::string name;  // schema.name
  std::string kind;  // table | partitioned table | index | ...
  std::string mode;  // the lock mode the statement took on it
  long long bytes = 0;  // heap + TOAST after the statement
  double rows = 0;      // estimated rows (pg_class.reltuples; 0 when never counted)
  bool created_in_run = false;  // did not exist before the run's first statement
  bool scanned = false;         // the statement read all of it (a sequential scan, e.g. to validate)
};

// Rule ids, as findings and `[safety] ignore` name them.
inline constexpr const char* kIndexWithoutConcurrently = "index_without_concurrently";
inline constexpr const char* kExclusiveLockOverBudget = "exclusive_lock_over_budget";

// Whether `relation` is large under `safety` (more rows or more bytes than the thresholds).
bool is_large(const MeasuredRelation& relation, const config::Safety& safety);

// `index_without_concurrently`: a CREATE INDEX without CONCURRENTLY whose SHARE lock blocks writes
// to a table that existed before the run and is large. Returns the finding as report JSON
// ({rule, level, object, message, remediation, file, line}) or nullopt.
std::optional<nlohmann::json> index_without_concurrently(const std::string& statement, const MeasuredRelation& relation,
                                                         const config::Safety& safety);

// The statement rules beyond the index one, for one relation that `statement` locked (`rewritten`:
// its storage was replaced), each graded by what was measured — nothing on a relation the run
// created. On a large relation: `volatile_default_rewrite` (ADD COLUMN with a volatile default),
// `column_type_rewrite` (ALTER COLUMN TYPE that rewrote), `set_not_null_scan` (SET NOT NULL scans
// under ACCESS EXCLUSIVE), `constraint_without_not_valid` (ADD FOREIGN KEY / CHECK validated at
// once). On any relation holding data (rows, or more than 8 KiB): `rename_in_use` (RENAME of a
// table or column a running app may use) and `drop_column`. Returns the findings as report JSON.
std::vector<nlohmann::json> statement_findings(const std::string& statement, const MeasuredRelation& relation,
                                               bool rewritten, const config::Safety& safety);

// `exclusive_lock_over_budget`: a transaction held ACCESS EXCLUSIVE on `relation` (which existed
// before the run) for `held_ms`, more than `[safety] max_exclusive_lock`. Nullopt when within it or
// when there is no budget.
std::optional<nlohmann::json> exclusive_lock_over_budget(const std::string& relation, long long held_ms,
                                                         const config::Safety& safety);

// Whether `finding` (report JSON) fails the run under `fail_on`.
bool fails_run(const nlohmann::json& finding, config::RlsFailOn fail_on);

}  // namespace migsafe::impact
