// Catalog queries behind lock-impact measurement: which relations exist and where their storage is
// (to see rewrites), and which locks the session's own backend holds on user relations.
#pragma once

#include <map>
#include <set>
#include <optional>
#include <string>
#include <vector>

#include "pg/session.hpp"

namespace migsafe::pg {

// A relation as pg_class shows it.
struct RelationState {
  std::string name;      // schema.name
  std::string kind;      // table | partitioned table | index | sequence | view | materialized view | ...
  std::string filenode;  // pg_relation_filenode; "" for relations without storage
  long long scans = 0;   // sequential scans of it this session counted and has not reported yet
                         // (pg_stat_get_xact_numscans: it grows within a transaction)
};

// Every user relation (system schemas, TOAST and temp schemas left out), by oid as text. Reads
// pg_class only: takes no lock on any user relation.
std::map<std::string, RelationState> user_relations(Session& session);

// A user relation (not migsafe's own history schemas) as it is now.
struct RelationDetail {
  RelationState state;
  std::optional<long long> bytes;  // pg_table_size (heap + TOAST, or the index itself); nullopt without storage or not sized
  std::optional<double> rows;      // pg_class.reltuples; nullopt when never counted
};

// One granted relation lock of the session's own backend (any relation of this database).
struct OwnLock {
  std::string vxid;  // the holding transaction's virtual id: a new one means the old locks were released
  std::string oid;   // relation oid, as text
  std::string mode;  // e.g. "AccessExclusiveLock"
  std::optional<RelationDetail> relation;  // set for user relations (measuring the size took an ACCESS SHARE lock)
};

// What one read of the backend's own locks found.
struct OwnLockRead {
  std::vector<OwnLock> locks;                     // granted locks not seen before (see own_lock_read_sql)
  std::map<std::string, RelationState> watched;  // the watched relations that still exist, by oid
};

// A lock already attributed: relation oid and mode, as text.
using SeenLock = std::pair<std::string, std::string>;

// The query for the granted relation locks of the session's own backend in the current database,
// leaving out those of transaction $1 (vxid) already seen ($2 oids, $3 modes), with the state and
// size of each user relation among them, and the state of the watched relations ($4, to see them
// rewritten). PostgreSQL builds a row for every lock in the server to answer it, so its cost grows
// with the locks held (the caller decides how often to pay it); the seen locks are matched by hash.
// Sizes are measured for new locks on relations whose oid is at most $5 only: sizing reads the
// files of every fork, and relations a run creates (oids above those that existed before it) need
// none. Fully qualified: a migration's search_path cannot change it. The text is the same every
// time, so a session prepares it once (Session::prepare); run it alone (read_own_locks) or in a
// batch after a statement (Session::run_batch), with own_lock_read_params.
std::string own_lock_read_sql();
std::vector<std::optional<std::string>> own_lock_read_params(const std::string& vxid, const std::set<SeenLock>& seen,
                                                             const std::set<std::string>& watched,
                                                             unsigned long sized_up_to);
OwnLockRead parse_own_lock_read(const Rows& rows);

// A read of the server's clock, to time the statement it
// follows in a batch; own_lock_read_sql's rows carry the same.
std::string clock_read_sql();
// The server's clock (ms since the epoch) in the rows of either read; nullopt when absent.
std::optional<double> read_clock_ms(const Rows& rows);
OwnLockRead read_own_locks(Session& session, const std::vector<std::optional<std::string>>& params);

}  // namespace migsafe::pg
