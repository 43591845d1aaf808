#include "pg/run_lock.hpp"
#include "core/error.hpp"

#include <thread>

#include "pg/session.hpp"
#include "util/interrupt.hpp"

namespace migsafe::pg {
namespace {

const std::string kKey = std::to_string(kRunLockKey);

bool try_lock(Session& session) {
  return session.query("select pg_try_advisory_lock(" + kKey + ")").scalar() == "t";
}

std::optional<LockHolder> find_holder(Session& session) {
  Rows rows = session.query(
      "select a.pid, coalesce(a.application_name, ''), coalesce(a.backend_start::text, ''), "
      "coalesce(host(a.client_addr), 'local socket') "
      "from pg_locks l join pg_stat_activity a on a.pid = l.pid "
      "where l.locktype = 'advisory' and l.granted and l.database = (select oid from pg_database where datname = current_database()) "
      "and ((l.classid::bigint << 32) | l.objid::bigint) = " + kKey + " limit 1");
  if (rows.rows.empty()) return std::nullopt;
  LockHolder h;
  h.pid = std::stoi(*rows.rows[0][0]);
  h.application_name = *rows.rows[0][1];
  h.since = *rows.rows[0][2];
  h.client = *rows.rows[0][3];
  const std::string prefix = "migsafe run ";
  if (h.application_name.rfind(prefix, 0) == 0) {
    std::string run_id = h.application_name.substr(prefix.size());
    run_id = run_id.substr(0, run_id.find(' '));
    try {
      Rows run = session.query(
          "select concat_ws(', ', 'pipeline ' || pipeline, 'host ' || host, 'CI ' || ci_url, 'started ' || started_at) "
          "from migsafe.runs where run_id = $1", {run_id});
      if (auto details = run.scalar()) h.run_details = *details;
    } catch (const QueryError&) {
      // No ledger yet: the activity row is all we know.
    }
  }
  return h;
}

}  // namespace

std::string LockHolder::describe() const {
  std::string out = "backend pid " + std::to_string(pid);
  if (!application_name.empty()) out += " (" + application_name + ")";
  out += ", connected from " + client + " since " + since;
  if (!run_details.empty()) out += "; " + run_details;
  return out;
}

std::optional<LockHolder> acquire_run_lock(Session& session, std::chrono::milliseconds wait) {
  auto deadline = std::chrono::steady_clock::now() + wait;
  while (true) {
    if (try_lock(session)) return std::nullopt;
    if (std::chrono::steady_clock::now() >= deadline) {
      auto holder = find_holder(session);
      if (holder) return holder;
      if (try_lock(session)) return std::nullopt;  // released between the two queries
      return LockHolder{0, "unknown", "", "", ""};
    }
    throw_if_interrupted();
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

bool run_lock_free(Session& session) {
  if (!try_lock(session)) return false;
  release_run_lock(session);
  return true;
}

void release_run_lock(Session& session) { session.query("select pg_advisory_unlock(" + kKey + ")"); }

}  // namespace migsafe::pg
