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

// One granted relation lock of the session's own backend (any relation of this database).
struct OwnLock {
  std::string vxid;  // the holding transaction's virtual id: a new one means the old locks were released
  std::string oid;   // relation oid, as text
  std::string mode;  // e.g. "AccessExclusiveLock"
};

// The granted relation locks of the session's own backend in the current database. One read of
// pg_locks; PostgreSQL builds a row for every lock in the server to answer it, so its cost grows
// with the locks held (the caller decides how often to pay it).
std::vector<OwnLock> own_relation_locks(Session& session);

// A user relation (not migsafe's own history schemas) as it is now.
struct RelationDetail {
  RelationState state;
  std::optional<long long> bytes;  // asked-for relations only: pg_table_size (heap + TOAST, or the index itself)
  std::optional<double> rows;      // asked-for relations only: pg_class.reltuples; nullopt when never counted
};

// The current state of those of `oids` that are user relations, by oid; with sizes for those also
// in `sized` — one query. Measuring a size takes an ACCESS SHARE lock on that relation.
std::map<std::string, RelationDetail> relation_details(Session& session, const std::vector<std::string>& oids,
                                                       const std::vector<std::string>& sized);

}  // namespace migsafe::pg
