#include <catch2/catch.hpp>

#include "backup/store.hpp"
#include "core/error.hpp"

using namespace migsafe::backup;

namespace {

StoredBackup stored(const std::string& created, const std::string& version,
                    const std::string& status = "verified", bool pinned = false) {
  StoredBackup b;
  b.manifest.backup_id = created + "_db_v" + version;
  b.manifest.created_at = created;
  b.manifest.migration_version = version;
  b.manifest.status = status;
  b.manifest.pinned = pinned;
  return b;
}

std::vector<std::string> ids(const std::vector<const StoredBackup*>& list) {
  std::vector<std::string> out;
  for (const auto* b : list) out.push_back(b->manifest.created_at);
  return out;
}

const auto kNow = parse_created_at("2024-05-31T00:00:00Z");

}  // namespace

TEST_CASE("prune removes what is beyond keep_last and older than max_age_days", "[backup]") {
  Store s;
  s.backups = {stored("2024-05-30T00:00:00Z", "3"), stored("2024-05-20T00:00:00Z", "2"),
               stored("2024-04-01T00:00:00Z", "1"), stored("2024-03-01T00:00:00Z", "0")};
  CHECK(ids(prune_candidates(s, 1, 30, kNow)) ==
        std::vector<std::string>{"2024-04-01T00:00:00Z", "2024-03-01T00:00:00Z"});
  CHECK(ids(prune_candidates(s, 3, 30, kNow)) == std::vector<std::string>{"2024-03-01T00:00:00Z"});
  CHECK(ids(prune_candidates(s, 1, 0, kNow)).size() == 3);
}

TEST_CASE("prune never removes the newest verified or a pinned backup", "[backup]") {
  Store s;
  s.backups = {stored("2024-05-30T00:00:00Z", "3", "failed"), stored("2024-05-20T00:00:00Z", "2"),
               stored("2024-04-01T00:00:00Z", "1"),
               stored("2024-03-01T00:00:00Z", "0", "verified", true)};
  CHECK(ids(prune_candidates(s, 1, 0, kNow)) == std::vector<std::string>{"2024-04-01T00:00:00Z"});
}

TEST_CASE("find_backup picks by id, or by tag the newest verified one", "[backup]") {
  Store s;
  s.backups = {stored("2024-05-30T00:00:00Z", "2", "failed"), stored("2024-05-20T00:00:00Z", "2"),
               stored("2024-04-01T00:00:00Z", "1")};
  CHECK(find_backup(s, "", "2").manifest.created_at == "2024-05-20T00:00:00Z");
  CHECK(find_backup(s, s.backups[2].manifest.backup_id, "").manifest.migration_version == "1");
  CHECK_THROWS_AS(find_backup(s, "", "9"), migsafe::Error);
  CHECK_THROWS_AS(find_backup(s, "", ""), migsafe::Error);
}

TEST_CASE("created_at parses as UTC and rejects anything else", "[backup]") {
  CHECK(std::chrono::system_clock::to_time_t(parse_created_at("1970-01-02T00:00:00Z")) == 86400);
  CHECK_THROWS(parse_created_at("2024-05-01 12:00:00"));
}
