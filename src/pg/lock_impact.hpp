// Catalog queries behind lock-impact measurement: which relations exist and where their storage is
// (to see rewrites), and which locks the session's own backend holds on user relations.
#pragma once

#include <map>
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
};

// Every user relation (system schemas, TOAST and temp schemas left out), by oid as text. Reads
// pg_class only: takes no lock on any user relation.
std::map<std::string, RelationState> user_relations(Session& session);

// One lock the session's backend holds on a user relation, with the relation's current state.
struct RelationLock {
  std::string key;             // "<virtualtransaction>/<oid>/<mode>": identifies the lock within a run
  std::string oid;             // relation oid, as text
  std::string mode;            // e.g. "AccessExclusiveLock"
  std::optional<RelationState> relation;  // nullopt when the relation no longer exists (dropped)
  bool is_new = false;         // not among the keys the caller already knew
  std::optional<long long> bytes;  // new locks only: pg_table_size (heap + TOAST, or the index itself)
  std::optional<double> rows;      // new locks only: pg_class.reltuples; nullopt when never counted
};

// The granted relation locks of the session's own backend on user relations (not migsafe's own
// history schemas). Returns the locks not in `known_keys`, and the known ones whose relation's
// filenode is no longer the one in `known_filenodes` ("<oid>:<filenode>" entries) — one query.
// Measuring a size takes an ACCESS SHARE lock on that relation; the caller adds it to what it knows.
std::vector<RelationLock> own_relation_locks(Session& session, const std::vector<std::string>& known_keys,
                                             const std::vector<std::string>& known_filenodes);

}  // namespace migsafe::pg
