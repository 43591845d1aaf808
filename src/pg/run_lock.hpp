// Serialises migsafe runs on one database with a session-level advisory lock. The holder is found
// through pg_locks/pg_stat_activity (its application_name carries the run id) and migsafe.runs.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace migsafe::pg {

class Session;

// The advisory lock key every migsafe run on a database takes ("migsafe" in ASCII).
inline constexpr long long kRunLockKey = 0x6d696773616665LL;

// Who holds the run lock, as far as the server can tell.
struct LockHolder {
  int pid = 0;                  // backend pid
  std::string application_name; // "migsafe run <run_id> on <host>"
  std::string since;            // backend start time
  std::string client;           // client address, or "local socket"
  std::string run_details;      // pipeline, host, CI URL and start from migsafe.runs, when found
  // One line for messages.
  std::string describe() const;
};

// Tries to take the lock on `session` until `wait` has passed (polling; interrupts are honoured).
// Returns nullopt when taken, else who holds it.
std::optional<LockHolder> acquire_run_lock(Session& session, std::chrono::milliseconds wait);
// True when no session holds the run lock right now (takes and releases it at once).
bool run_lock_free(Session& session);
// Releases the lock (it is also released when the session closes, e.g. if migsafe dies).
void release_run_lock(Session& session);

}  // namespace migsafe::pg
