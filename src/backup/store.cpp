#include "backup/store.hpp"

#include <algorithm>
#include <ctime>
#include <stdexcept>

#include "core/error.hpp"
#include "util/file_reader.hpp"
#include "util/sha256.hpp"

namespace migsafe::backup {
namespace fs = std::filesystem;
namespace {

bool newer(const StoredBackup& a, const StoredBackup& b) {
  if (a.manifest.created_at != b.manifest.created_at)
    return a.manifest.created_at > b.manifest.created_at;
  return a.manifest.backup_id > b.manifest.backup_id;
}

std::string known_ids(const Store& store) {
  if (store.backups.empty()) return "the store " + store.dir.string() + " holds no backups";
  std::string out = "backups in " + store.dir.string() + ":";
  for (const auto& b : store.backups)
    out += "\n  " + b.manifest.backup_id + "  (version " + b.manifest.migration_version + ")";
  return out;
}

}  // namespace

Store read_store(const fs::path& dir) {
  Store store;
  store.dir = dir;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return store;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() != ".json" || !entry.is_regular_file()) continue;
    try {
      store.backups.push_back(StoredBackup{load_manifest(entry.path()), entry.path()});
    } catch (const std::exception& e) {
      store.problems.push_back(e.what());
    }
  }
  std::sort(store.backups.begin(), store.backups.end(), newer);
  return store;
}

const StoredBackup& find_backup(const Store& store, const std::string& id, const std::string& tag) {
  if (id.empty() == tag.empty()) throw usage_error("name one backup: --id ID or --tag VERSION");
  const StoredBackup* found = nullptr;
  for (const auto& b : store.backups) {
    if (!id.empty() && b.manifest.backup_id == id) return b;
    if (!tag.empty() && b.manifest.migration_version == tag) {
      if (found == nullptr || (!found->verified() && b.verified())) found = &b;
    }
  }
  if (found != nullptr) return *found;
  throw usage_error((id.empty() ? "no backup of version " + tag : "no backup with id " + id) +
                    "; " + known_ids(store));
}

std::vector<const StoredBackup*> prune_candidates(const Store& store, int keep_last,
                                                  int max_age_days,
                                                  std::chrono::system_clock::time_point now) {
  const auto max_age = std::chrono::hours(24) * max_age_days;
  std::vector<const StoredBackup*> out;
  bool seen_verified = false;
  for (size_t i = 0; i < store.backups.size(); ++i) {
    const StoredBackup& b = store.backups[i];
    bool newest_verified = b.verified() && !seen_verified;
    seen_verified = seen_verified || b.verified();
    if (newest_verified || b.manifest.pinned || i < size_t(keep_last)) continue;
    if (now - parse_created_at(b.manifest.created_at) <= max_age) continue;
    out.push_back(&b);
  }
  return out;
}

void remove_backup(const StoredBackup& backup) {
  const fs::path dir = backup.manifest_path.parent_path();
  fs::remove_all(backup.data_path());
  if (!backup.manifest.schema_file.empty()) fs::remove(dir / backup.manifest.schema_file);
  fs::remove(backup.manifest_path);
}

std::chrono::system_clock::time_point parse_created_at(const std::string& created_at) {
  std::tm tm{};
  const char* end = strptime(created_at.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  if (end == nullptr || *end != '\0')
    throw std::runtime_error("malformed created_at \"" + created_at + "\"");
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

std::string file_checksum(const fs::path& path) {
  util::FileReader file(path);
  util::Sha256 hash;
  std::string buffer(1 << 20, '\0');
  while (size_t n = file.read(buffer.data(), buffer.size())) hash.update(buffer.data(), n);
  return "sha256:" + hash.hex();
}

}  // namespace migsafe::backup
