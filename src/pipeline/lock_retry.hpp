// Lock waits that never stall production: every migration statement runs under a short
// lock_timeout; one that hits it (SQLSTATE 55P03) is rolled back and tried again after a jittered
// backoff, up to `[safety] lock_retries` — the migration's transaction in per-migration mode, the
// whole open transaction in atomic mode (safe: it was rolled back, nothing of it stayed).
#pragma once

#include <chrono>
#include <string>

#include "pipeline/context.hpp"

namespace migsafe::pipeline {

// The lock_timeout migration statements run under: `[safety] lock_timeout`, else `[database] lock_timeout`.
std::chrono::milliseconds migration_lock_timeout(const config::Pipeline& pipeline);

// The wait before retry number `retry` (1, 2, ...): 100 ms doubled per retry, at most 10 s, times a
// random factor in [0.5, 1.5) so that runs waiting on the same lock do not come back together.
std::chrono::milliseconds retry_backoff(int retry);

// Starts watching the migration session for lock waits (see impact::LockWatch), when lock_timeout is on.
void start_lock_watch(Context& context);

// Called when `record` failed. When it failed waiting for a lock (55P03), files the wait in the
// report's `impact.lock_waits` with the blockers the lock watch saw, and says so on the console.
// Then, if `retries_done` < `[safety] lock_retries`: rolls back the open transaction, waits the
// backoff (a signal ends the wait), counts the retry and returns true — the caller runs `what`
// ("the migration" | "the transaction") again. Otherwise returns false.
bool retry_after_lock_timeout(Context& context, const report::Migration& record, int& retries_done,
                              const std::string& what);

}  // namespace migsafe::pipeline
