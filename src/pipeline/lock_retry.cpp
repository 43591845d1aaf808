#include "pipeline/lock_retry.hpp"

#include <algorithm>
#include <random>
#include <thread>

#include "core/error.hpp"

namespace migsafe::pipeline {
namespace {

constexpr std::chrono::milliseconds kFirstBackoff{100};
constexpr std::chrono::milliseconds kMaxBackoff{10'000};

std::string describe(const impact::Blocker& b) {
  std::string out = "pid " + std::to_string(b.pid);
  if (!b.application_name.empty()) out += " \"" + b.application_name + "\"";
  if (!b.state.empty()) out += " (" + b.state + (b.query_start.empty() ? "" : ", query since " + b.query_start) + ")";
  if (!b.query.empty()) out += ": " + b.query;
  return out;
}

void sleep_interruptibly(std::chrono::milliseconds total) {
  const auto until = std::chrono::steady_clock::now() + total;
  while (std::chrono::steady_clock::now() < until) {
    throw_if_interrupted();
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
        std::chrono::milliseconds{50}, until - std::chrono::steady_clock::now()));
  }
  throw_if_interrupted();
}

}  // namespace

std::chrono::milliseconds migration_lock_timeout(const config::Pipeline& pipeline) {
  return pipeline.safety.lock_timeout.value_or(pipeline.database.lock_timeout);
}

std::chrono::milliseconds retry_backoff(int retry) {
  static thread_local std::mt19937 random{std::random_device{}()};
  long long base = kFirstBackoff.count();
  for (int i = 1; i < retry && base < kMaxBackoff.count(); ++i) base *= 2;
  base = std::min(base, static_cast<long long>(kMaxBackoff.count()));
  std::uniform_real_distribution<double> factor(0.5, 1.5);
  return std::chrono::milliseconds{static_cast<long long>(static_cast<double>(base) * factor(random))};
}

void start_lock_watch(Context& context) {
  const auto timeout = migration_lock_timeout(context.pipeline);
  if (timeout.count() <= 0 || context.lock_watch) return;
  // Look a few times within one lock_timeout: the answer is gone once it fires.
  const auto after = std::clamp(timeout / 4, std::chrono::milliseconds{10}, std::chrono::milliseconds{1000});
  context.lock_watch = std::make_unique<impact::LockWatch>(context.target, context.work->backend_pid(), after);
}

bool retry_after_lock_timeout(Context& context, const report::Migration& record, int& retries_done,
                              const std::string& what) {
  if (!record.error || record.error->sqlstate != "55P03") return false;
  const auto& error = *record.error;
  const int limit = context.pipeline.safety.lock_retries;
  const auto blockers = context.lock_watch ? context.lock_watch->last_blockers() : std::vector<impact::Blocker>{};
  nlohmann::json wait{{"migration", record.version + "_" + record.name},
                      {"file", error.file},
                      {"line", error.line},
                      {"statement", error.statement},
                      {"message", error.message},
                      {"try", retries_done + 1},
                      {"blockers", nlohmann::json::array()}};
  for (const auto& b : blockers) wait["blockers"].push_back(impact::to_json(b));
  std::string who = blockers.empty() ? "a session that was gone before migsafe could see it" : "";
  for (const auto& b : blockers) who += (who.empty() ? "" : "; ") + describe(b);
  const std::string where = error.file + ":" + std::to_string(error.line);
  const bool retry = retries_done < limit;
  wait["retried"] = retry;
  if (retry) {
    ++retries_done;
    const auto backoff = retry_backoff(retries_done);
    wait["backoff_ms"] = backoff.count();
    wait["rolled_back"] = what;
    context.note("  lock_timeout at " + where + " (try " + std::to_string(retries_done) + " of " +
                 std::to_string(limit + 1) + "), blocked by " + who + "; rolled back " + what + ", retrying in " +
                 std::to_string(backoff.count()) + " ms");
    if (!context.report.impact.contains("lock_waits")) context.report.impact["lock_waits"] = nlohmann::json::array();
    context.report.impact["lock_waits"].push_back(wait);
    if (context.work->in_transaction()) context.work->exec("ROLLBACK");
    sleep_interruptibly(backoff);
    return true;
  }
  context.note("  lock_timeout at " + where + ", blocked by " + who +
               (limit > 0 ? "; no retries left ([safety] lock_retries = " + std::to_string(limit) + ")"
                          : "; [safety] lock_retries is 0"));
  if (!context.report.impact.contains("lock_waits")) context.report.impact["lock_waits"] = nlohmann::json::array();
  context.report.impact["lock_waits"].push_back(wait);
  return false;
}

}  // namespace migsafe::pipeline
