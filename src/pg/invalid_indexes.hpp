// INVALID indexes (pg_index.indisvalid = false): what a failed or killed CREATE INDEX CONCURRENTLY
// or REINDEX CONCURRENTLY leaves behind, still maintained on every write and never used.
#pragma once

#include <string>
#include <vector>

namespace migsafe::pg {

class Session;

// Every INVALID index outside pg_catalog and pg_toast, as a quoted qualified name, sorted.
std::vector<std::string> invalid_indexes(Session& session);

// Drops (DROP INDEX CONCURRENTLY IF EXISTS; `session` must be outside a transaction) each INVALID
// index not in `keep` (a list from invalid_indexes); returns the names it dropped.
std::vector<std::string> drop_new_invalid_indexes(Session& session, const std::vector<std::string>& keep);

}  // namespace migsafe::pg
