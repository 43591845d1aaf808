// Which statements PostgreSQL refuses to run inside a transaction block, so a runner that wraps a
// migration in one transaction can refuse or run them separately.
#pragma once

#include <string>
#include <string_view>

namespace migsafe::sql {

// Why `statement` cannot run inside a transaction block (e.g. "CREATE INDEX CONCURRENTLY cannot run
// inside a transaction block"), or an empty string when it can. Keywords are matched outside
// strings and comments, case-insensitively, from the statement's first token; only the first
// statement of `statement` is looked at. ALTER TYPE ... ADD VALUE is not reported: it cannot run
// in a transaction block only before PostgreSQL 12. Statements whose need depends on server state
// are reported conservatively (DROP SUBSCRIPTION: only when it has a replication slot).
// BEGIN/START TRANSACTION/COMMIT/END/ABORT/ROLLBACK/PREPARE TRANSACTION written in the file yield
// a reason starting "transaction control statement"; see is_transaction_control().
std::string non_transactional_reason(std::string_view statement);

// Whether `statement` starts, ends or prepares a transaction (BEGIN, START TRANSACTION, COMMIT,
// END, ABORT, ROLLBACK, PREPARE TRANSACTION). SAVEPOINT, RELEASE and ROLLBACK TO are not.
bool is_transaction_control(std::string_view statement);

}  // namespace migsafe::sql
