#include "checks/row_loss_guard.hpp"

#include <algorithm>
#include <cstdio>

namespace migsafe::checks {
namespace {

// "todos" for "public.todos"; the key itself when it has no schema.
std::string bare_name(const std::string& table) {
  size_t dot = table.find('.');
  return dot == std::string::npos ? table : table.substr(dot + 1);
}

bool names_table(const std::string& entry, const std::string& table) {
  return entry == table || (entry.find('.') == std::string::npos && entry == bare_name(table));
}

bool drop_allowed(const config::Verify& verify, const std::string& table) {
  return std::any_of(verify.allow_dropped_tables.begin(), verify.allow_dropped_tables.end(),
                     [&](const std::string& entry) { return names_table(entry, table); });
}

double allowed_pct(const config::Verify& verify, const std::string& table) {
  const auto& per_table = verify.max_row_loss_pct_per_table;
  if (auto it = per_table.find(table); it != per_table.end()) return it->second;
  if (auto it = per_table.find(bare_name(table)); it != per_table.end()) return it->second;
  return verify.max_row_loss_pct;
}

// A percentage without trailing zeros: "30", "12.5", "0.01".
std::string format_pct(double pct) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.2f", pct);
  std::string s = buffer;
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s + "%";
}

}  // namespace

std::string RowLoss::describe() const {
  if (dropped) {
    return table + " was dropped (" + std::to_string(before) +
           " rows before; not in allow_dropped_tables)";
  }
  return table + ": " + std::to_string(before) + " rows before, " + std::to_string(after) +
         " after (" + format_pct(loss_pct) + " lost, at most " + format_pct(allowed_pct) +
         " allowed)";
}

nlohmann::json RowLossResult::to_json() const {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& v : violations) {
    list.push_back({{"table", v.table},
                    {"before", v.before},
                    {"after", v.dropped ? nlohmann::json() : nlohmann::json(v.after)},
                    {"loss_pct", v.loss_pct},
                    {"dropped", v.dropped},
                    {"allowed_pct", v.allowed_pct},
                    {"message", v.describe()}});
  }
  return nlohmann::json{{"passed", passed()}, {"violations", list}};
}

RowLossResult check_row_loss(const std::map<std::string, long long>& before,
                             const std::map<std::string, long long>& after,
                             const config::Verify& verify) {
  RowLossResult result;
  for (const auto& [table, rows_before] : before) {
    RowLoss loss{table, rows_before, 0, 100, true, allowed_pct(verify, table)};
    auto found = after.find(table);
    if (found == after.end()) {
      if (!drop_allowed(verify, table)) result.violations.push_back(loss);
      continue;
    }
    loss.dropped = false;
    loss.after = found->second;
    if (rows_before <= 0) continue;
    loss.loss_pct =
        static_cast<double>(rows_before - loss.after) / static_cast<double>(rows_before) * 100.0;
    if (loss.loss_pct > loss.allowed_pct) result.violations.push_back(loss);
  }
  return result;
}

}  // namespace migsafe::checks
