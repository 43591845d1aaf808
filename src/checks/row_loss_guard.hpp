// The data-loss guard: compares per-table row counts from before the migrations with those after,
// and names every table that lost more rows than the pipeline allows, or disappeared.
// Pure logic: the counts come from the caller.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "config/pipeline.hpp"

namespace migsafe::checks {

// One table that lost too many rows, or was dropped.
struct RowLoss {
  std::string table;       // "schema.table"
  long long before = 0;    // rows before the migrations
  long long after = 0;     // rows after (0 when dropped)
  double loss_pct = 0;     // (before - after) / before * 100; 100 when dropped
  bool dropped = false;    // the table no longer exists
  double allowed_pct = 0;  // the limit that applied to it
  // "public.todos: 10 rows before, 7 after (30% lost, at most 0% allowed)" or
  // "public.todos was dropped (10 rows before; not in allow_dropped_tables)".
  std::string describe() const;
};

// The guard's verdict.
struct RowLossResult {
  std::vector<RowLoss> violations;  // in table order
  // True when no table lost too much.
  bool passed() const { return violations.empty(); }
  // {passed, violations[{table, before, after (null when dropped), loss_pct, dropped, allowed_pct,
  // message}]}.
  nlohmann::json to_json() const;
};

// Checks every table of `before` (keys "schema.table") against `after`. A missing table is a
// violation unless `verify.allow_dropped_tables` names it ("schema.table" or bare "table"); a
// table that had no rows loses nothing; otherwise the loss may not exceed the table's entry in
// `verify.max_row_loss_pct_per_table` ("schema.table" first, then the bare name), else
// `verify.max_row_loss_pct`. Tables only in `after` are new and not checked.
RowLossResult check_row_loss(const std::map<std::string, long long>& before,
                             const std::map<std::string, long long>& after,
                             const config::Verify& verify);

}  // namespace migsafe::checks
