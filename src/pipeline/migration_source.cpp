#include "pipeline/migration_source.hpp"

#include "pg/extension_hint.hpp"
#include "sql/migration_body.hpp"
#include "sql/supabase_split.hpp"
#include "sql/transaction_safety.hpp"
#include "util/utf8.hpp"

namespace migsafe::pipeline {

SplitMigration split_migration(const config::MigrationFile& file) {
  SplitMigration out;
  out.statements = sql::migration_body(file.sql).statements;  // refusals were reported when the files were read
  out.recorded = sql::supabase_statements(file.sql);
  for (const auto& s : out.statements) {
    std::string reason = sql::non_transactional_reason(s.text);
    if (!reason.empty()) out.non_transactional.push_back("line " + std::to_string(s.line) + ": " + reason);
  }
  return out;
}

std::string display_path(const std::filesystem::path& path) {
  std::error_code ec;
  auto relative = std::filesystem::relative(path, std::filesystem::current_path(), ec);
  if (ec || relative.empty() || relative.native().rfind("..", 0) == 0) return path.string();
  return relative.string();
}

report::MigrationError locate_error(const config::MigrationFile& file, const sql::Statement& statement,
                                    const pg::SqlError& error) {
  size_t offset = statement.offset;
  if (error.position > 0) offset += sql::byte_offset_of_char(statement.text, error.position);
  sql::Position at = sql::position_at(file.sql, offset);
  report::MigrationError e;
  e.sqlstate = error.sqlstate;
  e.message = error.message;
  e.detail = error.detail;
  e.hint = pg::missing_extension_hint(error.message, error.detail).value_or(error.hint);
  e.file = display_path(file.path);
  e.line = at.line;
  e.column = at.column;
  e.statement = util::truncate_chars(statement.text, 200);
  return e;
}

}  // namespace migsafe::pipeline
