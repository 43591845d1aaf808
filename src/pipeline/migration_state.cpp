#include "pipeline/migration_state.hpp"

#include <map>

namespace migsafe::pipeline {

MigrationState compare_with_history(const std::vector<config::MigrationFile>& files, const pg::History& history) {
  MigrationState state;
  state.current_version = history.current_version();
  std::map<std::string, const config::MigrationFile*> by_version;
  for (const auto& f : files) by_version[f.version] = &f;

  for (const auto& [version, applied] : history.applied) {
    auto it = by_version.find(version);
    if (it == by_version.end()) {
      state.problems.push_back({version, "missing",
                                "migration " + version + "_" + applied.name +
                                    " is applied in the database but its file is missing from the migrations directory"});
      continue;
    }
    const config::MigrationFile& file = *it->second;
    if (applied.checksum && *applied.checksum != file.checksum) {
      state.problems.push_back({version, "changed",
                                file.path.string() + ": changed after it was applied (sha256 " + file.checksum.substr(0, 12) +
                                    "..., applied as " + applied.checksum->substr(0, 12) + "...)"});
    }
    state.applied.push_back(&file);
  }
  for (const auto& f : files) {
    if (history.applied.count(f.version)) continue;
    state.pending.push_back(&f);
    if (config::version_less(f.version, state.current_version)) {
      state.problems.push_back({f.version, "out_of_order",
                                f.path.string() + ": pending, but older than the newest applied migration " +
                                    state.current_version + " (rename it with a newer timestamp)"});
    }
  }
  return state;
}

report::Migration migration_record(const config::MigrationFile& file, report::MigrationStatus status) {
  report::Migration record;
  record.version = file.version;
  record.name = file.name;
  record.checksum = file.checksum;
  record.status = status;
  return record;
}

void limit_pending(MigrationState& state, const std::string& to_version) {
  if (to_version.empty()) return;
  std::vector<const config::MigrationFile*> kept;
  for (const auto* f : state.pending) {
    if (!config::version_less(to_version, f->version)) kept.push_back(f);
  }
  state.pending = kept;
}

}  // namespace migsafe::pipeline
