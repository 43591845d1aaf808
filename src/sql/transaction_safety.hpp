// Which statements PostgreSQL refuses to run inside a transaction block, so a runner that wraps a
// migration in one transaction can refuse or run them separately.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

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

// What a transaction-control statement does.
enum class TransactionControl {
  none,      // not transaction control (SAVEPOINT, RELEASE and ROLLBACK TO are not)
  begin,     // BEGIN [WORK | TRANSACTION] ..., START TRANSACTION ...
  commit,    // COMMIT [WORK | TRANSACTION], END [WORK | TRANSACTION]
  rollback,  // ROLLBACK [WORK | TRANSACTION], ABORT
  prepare,   // PREPARE TRANSACTION
};

// The transaction-control kind of the first statement of `statement`.
TransactionControl transaction_control_of(std::string_view statement);

// The keywords of a transaction-control statement as written, upper-cased ("COMMIT WORK").
std::string transaction_control_words(std::string_view statement);

// `ALTER TYPE name ADD VALUE [IF NOT EXISTS] 'label' ...`: the type (identifiers folded as
// PostgreSQL folds them, qualified names kept qualified, e.g. "public.mood") and the label.
struct EnumValueAdded {
  std::string type;   // e.g. "mood" or "public.mood"
  std::string label;  // the new value, unquoted
};

// The enum values `statement` adds: as ALTER TYPE ... ADD VALUE itself, or anywhere inside its
// dollar-quoted bodies (e.g. a DO block that adds a value only if it is missing).
std::vector<EnumValueAdded> enum_values_added(std::string_view statement);

// Whether `statement` calls pg_create_logical_replication_slot(), which PostgreSQL refuses in a
// transaction that has already written (SQLSTATE 25001).
bool creates_logical_slot(std::string_view statement);

}  // namespace migsafe::sql
