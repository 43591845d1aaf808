#include "checks/sql_failure.hpp"
#include "util/utf8.hpp"

namespace migsafe::checks {

nlohmann::json SqlFailure::to_json() const {
  return nlohmann::json{{"sqlstate", sqlstate}, {"message", message}, {"detail", detail},
                        {"hint", hint},         {"context", context}, {"statement", statement},
                        {"file", file},         {"line", line},       {"column", column}};
}

std::string SqlFailure::describe() const {
  std::string out;
  if (!file.empty())
    out +=
        file + (line > 0 ? ":" + std::to_string(line) + ":" + std::to_string(column) : "") + ": ";
  out += message;
  if (!sqlstate.empty()) out += " (SQLSTATE " + sqlstate + ")";
  return out;
}

SqlFailure failure_at(const pg::SqlError& error, std::string_view source, size_t offset,
                      std::string_view statement, const std::string& file) {
  sql::Position at = sql::position_at(source, offset);
  SqlFailure f;
  f.sqlstate = error.sqlstate;
  f.message = error.message;
  f.detail = error.detail;
  f.hint = error.hint;
  f.context = error.context;
  f.statement = util::truncate_chars(statement, 200);
  f.file = file;
  f.line = at.line;
  f.column = at.column;
  return f;
}

SqlFailure locate_failure(const pg::SqlError& error, std::string_view source,
                          const sql::Statement& statement, const std::string& file) {
  size_t offset = statement.offset;
  if (error.position > 0) offset += sql::byte_offset_of_char(statement.text, error.position);
  return failure_at(error, source, offset, statement.text, file);
}

}  // namespace migsafe::checks
