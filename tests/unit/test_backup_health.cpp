#include <catch2/catch.hpp>

#include "backup/health.hpp"

using namespace migsafe::backup;

namespace {

StoredBackup stored(const std::string& created, uint64_t bytes) {
  StoredBackup b;
  b.manifest.backup_id = created;
  b.manifest.created_at = created;
  b.manifest.bytes = bytes;
  b.manifest.status = "verified";
  return b;
}

std::string fine(const StoredBackup&) {
  return "";
}

const auto kNow = parse_created_at("2024-05-31T00:00:00Z");

}  // namespace

TEST_CASE("health passes on a recent store without a size drop", "[backup]") {
  Store s;
  s.backups = {stored("2024-05-30T23:00:00Z", 900), stored("2024-05-29T23:00:00Z", 1000)};
  HealthLimits limits;
  limits.max_age = std::chrono::hours(2);
  CHECK(health_problems(s, limits, kNow, fine).empty());
}

TEST_CASE("health reports age, size drops, failed checks and an empty store", "[backup]") {
  Store s;
  s.backups = {stored("2024-05-30T00:00:00Z", 400), stored("2024-05-29T00:00:00Z", 1000)};
  HealthLimits limits;
  limits.max_age = std::chrono::hours(2);
  auto problems = health_problems(
      s, limits, kNow, [](const StoredBackup& b) { return b.manifest.bytes == 1000 ? "bad" : ""; });
  REQUIRE(problems.size() == 3);
  CHECK(problems[0].find("more than --max-age 2h") != std::string::npos);
  CHECK(problems[1].find("sudden size drop") != std::string::npos);
  CHECK(problems[2] == "bad");
  CHECK(health_problems(Store{}, limits, kNow, fine).at(0).find("no verified backup") !=
        std::string::npos);
}
