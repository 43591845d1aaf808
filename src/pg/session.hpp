// A database session: the one way migsafe runs SQL. The only other place that includes libpq or
// libpqxx is src/pg/ itself.
#pragma once

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "pg/conninfo.hpp"

namespace migsafe::pg {

// One result row; a null column is std::nullopt.
using Row = std::vector<std::optional<std::string>>;

// A query's result: column names and rows, as text.
struct Rows {
  std::vector<std::string> columns;  // column names in order
  std::vector<Row> rows;             // rows as returned
  // The first column of the first row, or nullopt when there is none or it is null.
  std::optional<std::string> scalar() const;
};

// An error PostgreSQL reported, with the fields a user needs to find its cause.
struct SqlError {
  std::string sqlstate;  // five-character SQLSTATE, e.g. "42P01"
  std::string message;   // primary message
  std::string detail;    // DETAIL, or empty
  std::string hint;      // HINT, or empty
  std::string context;   // CONTEXT (e.g. PL/pgSQL line), or empty
  int position = 0;      // 1-based character in the statement text, or 0 when unknown
  // "message (SQLSTATE xxxxx)" plus detail and hint lines.
  std::string describe() const;
};

// Thrown by Session::query and Session::exec when PostgreSQL reports an error, or the connection
// fails. Exit 3 when it ends a command: what it did to the database is not known here (a run
// settles it and chooses the code from what it can verify).
class QueryError : public Error {
 public:
  explicit QueryError(SqlError error);
  // The error's fields.
  const SqlError& error() const { return error_; }
  // True when the connection itself was lost (SQLSTATE class 08 or no SQLSTATE at all).
  bool connection_lost() const;

 private:
  SqlError error_;
};

// Thrown when a connection cannot be opened; `what()` names host, port and libpq's reason, no
// password. Exit 4: the target is unreachable, nothing was changed.
class ConnectError : public Error {
 public:
  explicit ConnectError(const std::string& message) : Error(Exit::refused, message) {}
};

// An open connection to one database.
class Session {
 public:
  // Connects; `application_name` shows in pg_stat_activity so other runs can see who holds a lock.
  Session(const ConnInfo& target, const std::string& application_name);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Runs `sql` with `$1..$n` bound to `params` and returns every row as text.
  Rows query(const std::string& sql, const std::vector<std::optional<std::string>>& params = {});
  // Runs one or more statements that return nothing of interest.
  void exec(const std::string& sql);
  // Runs `sql` exactly as given (simple protocol) and returns PostgreSQL's error, with the error
  // position, instead of throwing; used for migration statements.
  std::optional<SqlError> try_exec(const std::string& sql);
  // Like try_exec, but also returns the rows of the last result (e.g. a test file's TAP lines).
  struct Outcome {
    std::optional<SqlError> error;  // set when the statement failed
    Rows rows;                      // rows of the last result, as text
  };
  Outcome run(const std::string& sql);
  // A batch: statements of a migration interleaved with reads of migsafe's own, each one
  // statement, all sent in one round trip (libpq's pipeline mode; inside the caller's
  // transaction). They run in order, each parsed on its own as it comes, and stop at the first error.
  struct BatchPiece {
    std::string sql;        // exactly one statement, or the name of one given to prepare()
    bool read = false;      // migsafe's own query, whose rows the caller wants back (reads, in order)
    bool prepared = false;  // `sql` is a prepared statement's name
    std::vector<std::optional<std::string>> params = {};  // $1..$n, as text
    bool drops_prepared = false;  // may end prepared statements (DEALLOCATE, DISCARD): those after go as text
  };
  struct BatchOutcome {
    std::optional<SqlError> error;  // the first error; its position counts from its own piece's start
    size_t failed = 0;              // index of the piece that failed, when error
    std::vector<Rows> reads;        // the rows of each read that ran, in order
  };
  BatchOutcome run_batch(const std::vector<BatchPiece>& pieces);
  // Names `sql` (its parameters typed in the text, `$1::text`) for batch pieces to run prepared:
  // parsed and planned once per session instead of once per use. The server gets it in the round
  // trip of its first use, and again after a migration's DEALLOCATE or DISCARD ended it.
  void prepare(const std::string& name, const std::string& sql);

  // Returns the session to the state it had when it connected: RESET ROLE, RESET SESSION
  // AUTHORIZATION, RESET ALL (so `set role`, `search_path`, `set_config(..., false)` of a migration
  // are gone), then the settings this class applies itself. Works inside a transaction block too.
  void reset_to_defaults();
  // The statements reset_to_defaults runs, to send along with others in one round trip: first
  // those that give the session back its own role, then those that reset its settings.
  std::vector<std::string> role_reset_statements() const;
  std::vector<std::string> settings_reset_statements() const;

  // `value` as a SQL string literal.
  std::string quote(const std::string& value);
  // `name` as a SQL identifier.
  std::string quote_name(const std::string& name);

  // The server's version number, e.g. 150018.
  int server_version_num() const;
  // The server's version string, e.g. "15.18".
  std::string server_version() const;
  // Database name, host and port as connected.
  std::string database() const;
  std::string host() const;
  std::string port() const;
  // The backend's process id.
  int backend_pid() const;
  // True when the session is inside a transaction block (also a failed one).
  bool in_transaction() const;
  // True while the connection is usable.
  bool alive() const;

  // While this object lives, SIGINT/SIGTERM cancel `session`'s running query.
  class CancelOnInterrupt {
   public:
    explicit CancelOnInterrupt(Session& session);
    ~CancelOnInterrupt();

   private:
    void* cancel_ = nullptr;
  };

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// SQL for a string list literal: ARRAY['a','b']::text[].
std::string text_array(Session& session, const std::vector<std::string>& values);
// A parameter's text for a string list: {"a","b"} (cast it in the SQL: `$1::text[]`).
std::string array_param(const std::vector<std::string>& values);

}  // namespace migsafe::pg
