// The life of a pgTAP suite on one session, as pg_prove gives it one psql session per file but
// migsafe must undo it all: one transaction (or a savepoint in the caller's) holds the whole suite,
// what a file commits stays for the files after it, and between files the session is made clean
// again as a new psql session would be (role, settings, temporary objects, cursors, prepared
// statements, LISTENs). At the end everything is rolled back.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "checks/sql_failure.hpp"
#include "pg/session.hpp"

namespace migsafe::checks {

// Holds the suite's transaction or savepoint open while it lives.
class SuiteScope {
 public:
  // Opens the scope (BEGIN, or SAVEPOINT when `session` is in a transaction already) and notes the
  // settings every file starts with; pgTAP, when missing, is created in `pgtap_schema`.
  SuiteScope(pg::Session& session, std::string pgtap_schema);
  ~SuiteScope();
  SuiteScope(const SuiteScope&) = delete;
  SuiteScope& operator=(const SuiteScope&) = delete;

  // Before a file: creates pgTAP when it is missing (unless the file creates it itself; it stays
  // for the files after) and puts its schema on the search_path. Returns why it could not.
  std::optional<SqlFailure> prepare_file(bool file_creates_pgtap);
  // Notes the custom settings (`x.y`) `source` may set, so between_files() can empty them.
  void note_custom_settings(std::string_view source);
  // Makes the session as a new psql session would find it; returns a problem, or "" when clean.
  std::string between_files();
  // Rolls the whole suite back; throws pg::QueryError when that fails.
  void close();

 private:
  std::string rollback_sql() const;

  pg::Session& session_;
  bool savepoint_;
  bool open_ = true;
  std::string pgtap_schema_;             // where pgTAP is created when missing
  std::vector<std::string> names_, values_;  // the settings each file starts with
  std::set<std::string> custom_;             // custom settings a file may have set
};

// Whether `statement` is CREATE EXTENSION [IF NOT EXISTS] pgtap.
bool creates_pgtap(std::string_view statement);

// Appends pgTAP's schema to the session's search_path unless it is on it already.
void put_pgtap_on_path(pg::Session& session);

}  // namespace migsafe::checks
