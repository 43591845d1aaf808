// Emptying the owned schemas before a restore brings the archive's entries back.
#pragma once

#include <string>
#include <vector>

#include "backup/toc.hpp"

namespace migsafe::pg {
class Session;
}  // namespace migsafe::pg

namespace migsafe::backup {

// SQL that empties the owned `schemas` (and the history tables) so that the archive `toc` can be
// restored into them. A schema the archive creates is dropped whole. `public` is never dropped:
// pg_dump assumes initdb's `public` (owner pg_database_owner, its default privileges and comment)
// and writes only what differs from it, so `public` is emptied and reset to initdb's state —
// owner, privileges, comment and the default privileges defined in it — before those entries
// come back (a migration's `ALTER SCHEMA public OWNER TO postgres`, as `supabase db pull` writes,
// is undone that way).
std::string owned_drop_sql(pg::Session& session, const std::vector<TocEntry>& toc,
                           const std::vector<std::string>& schemas);

}  // namespace migsafe::backup
