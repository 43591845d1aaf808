// `backup health`: what monitoring asks of a backup store — a recent verified backup, no sudden
// shrink, every file still matching its checksum.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "backup/store.hpp"

namespace migsafe::backup {

// The limits a healthy store keeps.
struct HealthLimits {
  std::optional<std::chrono::milliseconds> max_age;  // newest verified backup at most this old
  double min_size_ratio = 0.5;                       // newest verified >= ratio x the previous one
};

// Checks one backup's file; returns a problem line, or "" when it is fine.
using BackupCheck = std::function<std::string(const StoredBackup&)>;

// Every problem with `store` at `now`, one line each (empty: healthy); `check` is run on every
// backup (e.g. a checksum re-read).
std::vector<std::string> health_problems(const Store& store, const HealthLimits& limits,
                                         std::chrono::system_clock::time_point now,
                                         const BackupCheck& check);

// A checksum check: the data file exists and its sha256 is the manifest's.
std::string checksum_problem(const StoredBackup& backup);

}  // namespace migsafe::backup
