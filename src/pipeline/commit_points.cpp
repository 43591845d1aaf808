// Commit-point planning for atomic runs. A real project adds an enum value in one migration and
// uses it in the next; the Supabase CLI commits each file, so that works there, while one
// transaction for the whole run fails with 55P04. Rather than give up atomicity for the whole
// run, migsafe commits only at the boundaries that need it and says so in plan and run.
//
// Not detected (the run fails atomically and is rolled back, exit 1; `mode = "per-migration"`
// runs such projects): ALTER TABLE or DROP on a table with pending deferred trigger events from an
// earlier migration (SQLSTATE 55006), and a new enum value used only by the verification tests.
#include "pipeline/commit_points.hpp"

#include "sql/migration_body.hpp"
#include "sql/transaction_safety.hpp"

namespace migsafe::pipeline {
namespace {

// The label as it appears in SQL text: 'it''s'.
std::string literal(const std::string& label) {
  std::string out = "'";
  for (char c : label) {
    out += c;
    if (c == '\'') out += '\'';
  }
  return out + "'";
}

// The first pending migration after `index` whose text mentions `label` as a literal, or null.
const config::MigrationFile* later_user(const std::vector<const config::MigrationFile*>& pending, size_t index,
                                        const std::string& label) {
  const std::string needle = literal(label);
  for (size_t j = index + 1; j < pending.size(); ++j) {
    if (pending[j]->sql.find(needle) != std::string::npos) return pending[j];
  }
  return nullptr;
}

// The line of the first keyword of `s` (its text may start with comments).
int keyword_line(const config::MigrationFile& file, const sql::Statement& s) {
  sql::Token t = sql::next_token(s.text, 0);
  while (t.kind == sql::TokenKind::comment) t = sql::next_token(s.text, t.offset + t.text.size());
  return sql::position_at(file.sql, s.offset + (t.kind == sql::TokenKind::end ? 0 : t.offset)).line;
}

std::string file_name(const config::MigrationFile& file) {
  return file.path.filename().string();
}

CommitPoint point_after(const std::vector<const config::MigrationFile*>& pending, size_t index, int line,
                        std::string reason) {
  const config::MigrationFile& file = *pending[index];
  return CommitPoint{index, file.version, file.name, file.path.string(), line, std::move(reason)};
}


}  // namespace

std::vector<CommitPoint> plan_commit_points(const std::vector<const config::MigrationFile*>& pending) {
  std::vector<CommitPoint> points;
  bool segment_has_work = false;  // a migration ran since the last commit point
  for (size_t i = 0; i < pending.size(); ++i) {
    const config::MigrationFile& file = *pending[i];
    std::string after_reason;
    int after_line = 0;
    for (const sql::Statement& s : sql::migration_body(file.sql).statements) {
      if (sql::creates_logical_slot(s.text) && segment_has_work) {  // so i > 0
        const int line = keyword_line(file, s);
        points.push_back(point_after(pending, i - 1, line,
                                     file_name(file) + ":" + std::to_string(line) +
                                         " calls pg_create_logical_replication_slot(), which PostgreSQL refuses in a "
                                         "transaction that has already written (SQLSTATE 25001)"));
        segment_has_work = false;
      }
      for (const sql::EnumValueAdded& added : sql::enum_values_added(s.text)) {
        const config::MigrationFile* user = after_reason.empty() ? later_user(pending, i, added.label) : nullptr;
        if (!user) continue;
        after_line = keyword_line(file, s);
        after_reason = file_name(file) + ":" + std::to_string(after_line) + " adds value " + literal(added.label) +
                       " to enum " + added.type + " and " + file_name(*user) +
                       " uses it; PostgreSQL refuses a new enum value until it is committed (SQLSTATE 55P04)";
      }
    }
    segment_has_work = true;
    if (!after_reason.empty() && i + 1 < pending.size()) {
      points.push_back(point_after(pending, i, after_line, after_reason));
      segment_has_work = false;
    }
  }
  return points;
}

}  // namespace migsafe::pipeline
