// Finding and dropping the INVALID indexes a failed concurrent build leaves, so a failed run does
// not leave a write-slowing, never-used index behind (nor one that blocks the retry's name).
#include "pg/invalid_indexes.hpp"

#include <algorithm>

#include "pg/session.hpp"

namespace migsafe::pg {

std::vector<std::string> invalid_indexes(Session& session) {
  const char* sql =
      "select format('%I.%I', n.nspname, c.relname) from pg_index i join pg_class c on c.oid = i.indexrelid "
      "join pg_namespace n on n.oid = c.relnamespace where not i.indisvalid "
      "and n.nspname not in ('pg_catalog', 'pg_toast') order by 1";
  std::vector<std::string> out;
  for (const auto& row : session.query(sql).rows) out.push_back(*row[0]);
  return out;
}

std::vector<std::string> drop_new_invalid_indexes(Session& session, const std::vector<std::string>& keep) {
  std::vector<std::string> dropped;
  for (const auto& name : invalid_indexes(session)) {
    if (std::find(keep.begin(), keep.end(), name) != keep.end()) continue;
    session.exec("DROP INDEX CONCURRENTLY IF EXISTS " + name);
    dropped.push_back(name);
  }
  return dropped;
}

}  // namespace migsafe::pg
