// What psql keeps between the statements of one file run by pg_prove: its variables and its print
// settings. The meta-commands that touch only these (`\set`, `\unset`, `\echo`, `\qecho`, `\pset`,
// `\t`, `\x`, `\a`) run here; result rows are printed here as psql prints them, because pg_prove
// reads TAP from psql's output and a `\t` or `\x` changes what it sees. Pure logic.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "checks/psql_script.hpp"
#include "pg/session.hpp"

namespace migsafe::checks {

// psql's \pset settings that change the text pg_prove reads.
struct PsqlPrint {
  std::string format = "unaligned";  // pg_prove passes --no-align
  bool tuples_only = true;           // pg_prove passes --pset tuples_only=true
  std::string expanded = "off";      // off | on | auto
  std::string fieldsep = "|";
  std::string recordsep = "\n";
  std::string null_display;  // how NULL is printed
  int border = 1;
  bool footer = true;
};

// What a meta-command did.
struct MetaOutcome {
  bool known = true;   // false: not one of the commands PsqlState runs
  std::string output;  // what psql would print on stdout (pg_prove reads it as TAP)
  std::string error;   // psql's complaint, when the command failed
};

// Variables and print settings of one psql run (one test file and the files it includes).
class PsqlState {
 public:
  // Starts with the variables psql and pg_prove set before a file runs (ON_ERROR_STOP=1, QUIET,
  // AUTOCOMMIT, ...) and `connection` (see connection_variables).
  explicit PsqlState(const PsqlVariables& connection);
  // Runs `command` (without '\') with `args` when it is one of those PsqlState knows.
  MetaOutcome run(const std::string& command, const std::vector<std::string>& args);
  // The text psql prints for `rows` under the current settings ("" for a command without rows).
  std::string print(const pg::Rows& rows) const;
  // Sets `name` (as \gset does); nullopt unsets it.
  void set(const std::string& name, const std::optional<std::string>& value);
  // Whether psql stops at the first error (ON_ERROR_STOP).
  bool stop_on_error() const;
  // Whether a failed statement inside a transaction block is rolled back alone (ON_ERROR_ROLLBACK).
  bool rollback_statement_on_error() const;
  // The variables, for interpolation.
  const PsqlVariables& variables() const { return vars_; }

 private:
  MetaOutcome set_command(const std::vector<std::string>& args);
  MetaOutcome pset(const std::string& option, const std::optional<std::string>& value);
  bool flag(const std::string& name) const;

  PsqlVariables vars_;
  PsqlPrint print_;
};

// DBNAME, USER, HOST, PORT, ENCODING, SERVER_VERSION_NUM and SERVER_VERSION_NAME of `session`.
PsqlVariables connection_variables(pg::Session& session);

// psql's reading of a boolean ("on", "off", "true", "1", unique prefixes, ...), or nullopt.
std::optional<bool> parse_psql_bool(const std::string& value);

}  // namespace migsafe::checks
