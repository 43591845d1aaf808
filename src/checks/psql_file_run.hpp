// Runs one test file as `psql -f FILE` under pg_prove would, inside the suite's transaction:
// statements outside the file's own BEGIN each commit alone (a SAVEPOINT each, so a failing one
// undoes only itself), the file's BEGIN ... COMMIT/ROLLBACK becomes a savepoint released or rolled
// back, and a transaction left open at the end of the file is rolled back, as when psql exits.
// Meta-commands run as psql runs them (see PsqlState); `\i`, `\ir`, `\g`, `\gset` and `\q` here.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "checks/psql_script.hpp"
#include "checks/psql_state.hpp"
#include "checks/sql_failure.hpp"
#include "checks/tap_parser.hpp"
#include "pg/session.hpp"

namespace migsafe::checks {

// What the file run needs from its surroundings.
struct PsqlFileEnv {
  std::filesystem::path include_dir;                                  // `\i` resolves relative paths here
  std::function<std::string(const std::filesystem::path&)> display;  // a path as shown to the user
};

// One test file's run.
class PsqlFileRun {
 public:
  PsqlFileRun(pg::Session& session, PsqlFileEnv env, TapParser& parser);
  // Runs `source`, the text of `path`, to its end, its `\q`, or (with ON_ERROR_STOP) its first
  // error, which is returned; then closes a transaction the file left open.
  std::optional<SqlFailure> run(const std::filesystem::path& path, const std::string& source);
  // Errors psql went on after (ON_ERROR_STOP off), in order.
  const std::vector<SqlFailure>& ignored_errors() const { return ignored_; }

 private:
  struct Source;
  std::optional<SqlFailure> run_source(const Source& src, int depth);
  std::optional<SqlFailure> meta(const Source& src, PsqlScanner& scanner, const PsqlItem& item, int depth);
  std::optional<SqlFailure> include(const Source& src, const PsqlItem& item, int depth);
  // Sends `query`; `gset` holds \gset's prefix when the rows are to become variables.
  std::optional<SqlFailure> send(const Source& src, const PsqlQuery& query, const std::optional<std::string>& gset);
  std::optional<pg::SqlError> execute(const std::string& text, pg::Rows& rows);
  std::optional<SqlFailure> settle(std::optional<SqlFailure> failure);
  void end_transaction(bool commit);

  pg::Session& session_;
  PsqlFileEnv env_;
  TapParser& parser_;
  PsqlState state_;
  bool in_transaction_ = false;  // the file's own BEGIN is open
  bool aborted_ = false;         // ... and a statement in it failed
  bool quit_ = false;            // `\q` was read
  bool must_stop_ = false;       // a failure psql would not have had: stop whatever ON_ERROR_STOP says
  PsqlQuery last_query_;         // for `\g` with an empty buffer
  std::vector<SqlFailure> ignored_;
};

// The bytes of a test file; nullopt with `error` (strerror) when it cannot be read.
std::optional<std::string> read_test_file(const std::filesystem::path& path, std::string& error);

// What the file's transaction control statement `text` does.
enum class TransactionVerb { none, begin, commit, rollback, prepared };
TransactionVerb transaction_verb(std::string_view text);

}  // namespace migsafe::checks
