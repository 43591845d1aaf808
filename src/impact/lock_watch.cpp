#include "impact/lock_watch.hpp"

#include <memory>

#include "pg/session.hpp"
#include "sql/redact.hpp"

namespace migsafe::impact {
namespace {

std::vector<Blocker> read_blockers(pg::Session& session, int pid) {
  const auto rows = session.query(
      "select a.pid::text, coalesce(a.application_name, ''), coalesce(a.query_start::text, ''), "
      "coalesce(a.state, ''), coalesce(a.query, '') from pg_stat_activity a "
      "where a.pid = any(pg_blocking_pids($1::int)) order by a.pid",
      {std::to_string(pid)});
  std::vector<Blocker> out;
  for (const pg::Row& row : rows.rows) {
    out.push_back(Blocker{std::stoi(row.at(0).value_or("0")), row.at(1).value_or(""), row.at(2).value_or(""),
                          row.at(3).value_or(""), sql::redact_literals(row.at(4).value_or(""))});
  }
  return out;
}

}  // namespace

nlohmann::json to_json(const Blocker& b) {
  return {{"pid", b.pid}, {"application_name", b.application_name}, {"query_start", b.query_start},
          {"state", b.state}, {"query", b.query}};
}

LockWatch::LockWatch(pg::ConnInfo target, int watched_pid, std::chrono::milliseconds after)
    : target_(std::move(target)), pid_(watched_pid), after_(after), thread_([this] { loop(); }) {}

LockWatch::~LockWatch() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void LockWatch::begin() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    active_ = true;
    ++generation_;
    seen_.clear();
  }
  wake_.notify_all();
}

void LockWatch::end() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    active_ = false;
  }
  wake_.notify_all();
}

std::vector<Blocker> LockWatch::last_blockers() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return seen_;
}

void LockWatch::loop() {
  std::unique_ptr<pg::Session> session;
  try {
    session = std::make_unique<pg::Session>(target_, "migsafe lock watch");
  } catch (const std::exception&) {
    return;  // no watcher: retries are reported without their blockers
  }
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stop_) {
    wake_.wait(lock, [&] { return stop_ || active_; });
    if (stop_) break;
    const std::uint64_t generation = generation_;
    if (wake_.wait_for(lock, after_, [&] { return stop_ || !active_ || generation_ != generation; })) continue;
    lock.unlock();  // the statement still runs: ask who it waits for, without holding up begin()/end()
    std::vector<Blocker> found;
    try {
      found = read_blockers(*session, pid_);
    } catch (const std::exception&) {
      if (!session->alive()) return;
    }
    lock.lock();
    if (generation_ == generation && !found.empty()) seen_ = std::move(found);
  }
}

}  // namespace migsafe::impact
