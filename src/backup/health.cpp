#include "backup/health.hpp"

#include <cstdio>

#include "backup/directory_archive.hpp"
#include "util/duration.hpp"

namespace migsafe::backup {
namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

std::string age_problem(const StoredBackup& newest, const HealthLimits& limits,
                        std::chrono::system_clock::time_point now) {
  if (!limits.max_age) return "";
  auto age = duration_cast<milliseconds>(now - parse_created_at(newest.manifest.created_at));
  if (age <= *limits.max_age) return "";
  return "the newest verified backup " + newest.manifest.backup_id + " is " +
         util::format_duration(duration_cast<std::chrono::seconds>(age)) +
         " old, more than --max-age " + util::format_duration(*limits.max_age);
}

std::string size_problem(const StoredBackup& newest, const StoredBackup& previous, double ratio) {
  double limit = ratio * double(previous.manifest.bytes);
  if (double(newest.manifest.bytes) >= limit) return "";
  char text[256];
  std::snprintf(text, sizeof text,
                " is %llu bytes, less than %.2f x the previous verified backup's %llu bytes",
                static_cast<unsigned long long>(newest.manifest.bytes), ratio,
                static_cast<unsigned long long>(previous.manifest.bytes));
  return "sudden size drop: the newest verified backup " + newest.manifest.backup_id + text + " (" +
         previous.manifest.backup_id + ")";
}

}  // namespace

std::vector<std::string> health_problems(const Store& store, const HealthLimits& limits,
                                         std::chrono::system_clock::time_point now,
                                         const BackupCheck& check) {
  std::vector<std::string> problems = store.problems;
  const StoredBackup* newest = nullptr;
  const StoredBackup* previous = nullptr;
  for (const auto& b : store.backups) {
    if (!b.verified()) continue;
    if (newest == nullptr)
      newest = &b;
    else if (previous == nullptr)
      previous = &b;
  }
  if (newest == nullptr) problems.push_back("no verified backup in " + store.dir.string());
  if (newest != nullptr) {
    if (auto p = age_problem(*newest, limits, now); !p.empty()) problems.push_back(p);
    if (previous != nullptr) {
      if (auto p = size_problem(*newest, *previous, limits.min_size_ratio); !p.empty())
        problems.push_back(p);
    }
  }
  for (const auto& b : store.backups) {
    if (auto p = check(b); !p.empty()) problems.push_back(p);
  }
  return problems;
}

std::string checksum_problem(const StoredBackup& backup) {
  std::string actual;
  try {
    actual = backup.manifest.format == "directory"
                 ? combined_checksum(checksum_files(backup.data_path()))
                 : file_checksum(backup.data_path());
  } catch (const std::exception& e) {
    return backup.manifest.backup_id + ": " + e.what();
  }
  if (actual == backup.manifest.checksum) return "";
  return backup.manifest.backup_id + ": checksum mismatch: the manifest says " +
         backup.manifest.checksum + ", " + backup.data_path().string() + " has " + actual;
}

}  // namespace migsafe::backup
