// Who blocks a migration statement that waits for a lock. After lock_timeout fires the statement no
// longer waits and pg_blocking_pids() has nothing to say, so the answer must be read while it
// waits: from a session of its own, on a thread of its own.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "pg/conninfo.hpp"

namespace migsafe::impact {

// A session that held a lock the watched statement waited for, as pg_stat_activity showed it.
struct Blocker {
  int pid = 0;
  std::string application_name;
  std::string query_start;  // timestamptz as text; "" when unknown
  std::string state;        // active | idle in transaction | ...
  std::string query;        // its current or last query, literals redacted
};

nlohmann::json to_json(const Blocker& blocker);

// Watches one backend (`watched_pid`) from a session of its own, opened on the watcher's thread: while
// a statement the caller announces has run longer than `after`, reads who blocks it, every `after`.
// Costs the announcing thread two lock/notify pairs per statement.
class LockWatch {
 public:
  LockWatch(pg::ConnInfo target, int watched_pid, std::chrono::milliseconds after);
  ~LockWatch();
  LockWatch(const LockWatch&) = delete;
  LockWatch& operator=(const LockWatch&) = delete;

  // A statement starts on the watched backend.
  void begin();
  // It ended (either way).
  void end();
  // The blockers last seen while the latest statement waited; empty when it never waited long enough.
  std::vector<Blocker> last_blockers() const;

 private:
  void loop();

  pg::ConnInfo target_;
  int pid_;
  std::chrono::milliseconds after_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  bool active_ = false;
  std::uint64_t generation_ = 0;  // one per statement
  std::vector<Blocker> seen_;
  std::thread thread_;
};

}  // namespace migsafe::impact
