// How an RLS check runs SQL as an API role without leaving anything behind: a (sub)transaction that
// is always rolled back, the JWT claims PostgREST would set, and SET LOCAL ROLE.
#pragma once

#include <optional>
#include <string>

#include "pg/session.hpp"

namespace migsafe::checks {

// A transaction (BEGIN) or, inside the run's transaction, a savepoint, that is always rolled back.
class RollbackScope {
 public:
  // Opens it on `session`: SAVEPOINT when `savepoint`, else BEGIN. Throws pg::QueryError on
  // failure.
  RollbackScope(pg::Session& session, bool savepoint);
  // Rolls back if close() was not called; never throws.
  ~RollbackScope();
  RollbackScope(const RollbackScope&) = delete;
  RollbackScope& operator=(const RollbackScope&) = delete;

  // Rolls back everything done since it was opened (and releases the savepoint). Throws
  // pg::QueryError when that fails, e.g. the connection was lost.
  void close();

 private:
  pg::Session& session_;
  bool savepoint_;
  bool open_ = true;
};

// Sets, transaction-locally, `request.jwt.claims` to `claims_json` (an object; "{}" when absent)
// with "role": `role` added unless present, `request.jwt.claim.<key>` for each top-level key, and
// then SET LOCAL ROLE `role`. Returns the error when PostgreSQL refuses (e.g. no such role).
std::optional<pg::SqlError> act_as(pg::Session& session, const std::string& role,
                                   const std::optional<std::string>& claims_json);

// Why `sql` may not run inside a check (it would end or escape the rolled-back transaction:
// BEGIN, COMMIT, ROLLBACK, RELEASE, ...), or empty when it may.
std::string refusal_reason(const std::string& sql);

}  // namespace migsafe::checks
