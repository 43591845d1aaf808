// A SQL error located in the file (or pipeline entry) that sent the failing statement, as the
// report shows it: SQLSTATE, PostgreSQL's message fields, and file:line:column.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "pg/session.hpp"
#include "sql/splitter.hpp"

namespace migsafe::checks {

// A SQL error and where the statement that raised it was written.
struct SqlFailure {
  std::string sqlstate;   // five-character SQLSTATE, e.g. "42P01"; empty when not from the server
  std::string message;    // primary message
  std::string detail;     // DETAIL, or empty
  std::string hint;       // HINT, or empty
  std::string context;    // CONTEXT (e.g. the PL/pgSQL line inside a pgTAP function), or empty
  std::string statement;  // the failing statement (first 200 characters)
  std::string file;       // the file as shown to the user, or empty
  int line = 0;           // 1-based line in `file`; 0 when unknown
  int column = 0;         // 1-based column (characters) in `file`; 0 when unknown
  // {sqlstate, message, detail, hint, context, statement, file, line, column}.
  nlohmann::json to_json() const;
  // "file:line:column: message (SQLSTATE xxxxx)", for one-line human output.
  std::string describe() const;
};

// `error`, raised by `statement` of `source` (the text of `file`), located at byte `offset` of
// `source`; the statement is kept to its first 200 characters.
SqlFailure failure_at(const pg::SqlError& error, std::string_view source, size_t offset,
                      std::string_view statement, const std::string& file);

// `error`, raised by `statement` of `source` (the text of `file`), located at the character
// PostgreSQL pointed at, or at the statement's start when it pointed at none.
SqlFailure locate_failure(const pg::SqlError& error, std::string_view source,
                          const sql::Statement& statement, const std::string& file);

}  // namespace migsafe::checks
