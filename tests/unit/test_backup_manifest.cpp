#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "backup/manifest.hpp"
#include "util/temp_dir.hpp"

using namespace migsafe::backup;
using nlohmann::json;

namespace {

Manifest example() {
  Manifest m;
  m.backup_id = "20240501T120000Z_app_v20240430";
  m.created_at = "2024-05-01T12:00:00Z";
  m.migration_version = "20240430";
  m.target_version = "20240501";
  m.pipeline = "deploy";
  m.git_sha = "0123abcd";
  m.database = "app";
  m.server_version = "15.6";
  m.compression = "zstd";
  m.file = m.backup_id + ".dump.zst";
  m.bytes = 123456789012ULL;
  m.checksum = "sha256:" + std::string(64, 'a');
  m.duration_ms = 4200;
  m.schema_fingerprint = "fp";
  m.row_counts = {{"public.users", 10}, {"public.orders", 0}};
  m.schema_file = m.backup_id + ".schema.sql";
  m.status = "verified";
  m.kind = "manual";
  m.run_id = "run-1";
  m.migsafe_version = "0.1.0";
  return m;
}

void check_equal(const Manifest& a, const Manifest& b) {
  CHECK(a.to_json() == b.to_json());
  CHECK(a.backup_id == b.backup_id);
  CHECK(a.bytes == b.bytes);
  CHECK(a.row_counts == b.row_counts);
  CHECK(a.encryption.is_null());
}

}  // namespace

TEST_CASE("manifest survives a JSON round trip", "[manifest]") {
  Manifest m = example();
  json j = m.to_json();
  CHECK(j["checksum"] == m.checksum);
  CHECK(j["encryption"].is_null());
  CHECK(j["row_counts"]["public.users"] == 10);
  CHECK(j["format"] == "custom");
  check_equal(Manifest::from_json(j, "test"), m);
}

TEST_CASE("manifest writes empty optional fields as null and reads null back as empty",
          "[manifest]") {
  Manifest m = example();
  m.git_sha.clear();
  m.target_version.clear();
  json j = m.to_json();
  CHECK(j["git_sha"].is_null());
  CHECK(Manifest::from_json(j, "test").git_sha.empty());
}

TEST_CASE("manifest keeps fields it does not know", "[manifest]") {
  json j = example().to_json();
  j["future_field"] = {{"nested", true}};
  j["encryption"] = {{"method", "age"}, {"recipient", "x"}};
  Manifest m = Manifest::from_json(j, "test");
  m.status = "failed";
  json back = m.to_json();
  CHECK(back["future_field"]["nested"] == true);
  CHECK(back["encryption"]["method"] == "age");
  CHECK(back["status"] == "failed");
}

TEST_CASE("broken manifests are rejected naming the file and field", "[manifest]") {
  json good = example().to_json();
  CHECK_THROWS_WITH(Manifest::from_json(json::array(), "m.json"), Catch::Contains("m.json"));

  json j = good;
  j.erase("checksum");
  CHECK_THROWS_WITH(Manifest::from_json(j, "m.json"),
                    Catch::Contains("m.json") && Catch::Contains("\"checksum\" is missing"));

  j = good;
  j["bytes"] = "12";
  CHECK_THROWS_WITH(Manifest::from_json(j, "m.json"), Catch::Contains("\"bytes\""));
  j["bytes"] = -1;
  CHECK_THROWS_WITH(Manifest::from_json(j, "m.json"), Catch::Contains("\"bytes\""));

  j = good;
  j["row_counts"] = {{"t", "many"}};
  CHECK_THROWS_WITH(Manifest::from_json(j, "m.json"), Catch::Contains("\"row_counts\""));

  j = good;
  j["checksum"] = "md5:abc";
  CHECK_THROWS_WITH(Manifest::from_json(j, "m.json"), Catch::Contains("\"checksum\""));

  j = good;
  j["file"] = "../../etc/passwd";
  CHECK_THROWS_WITH(Manifest::from_json(j, "m.json"), Catch::Contains("\"file\""));

  j = good;
  j["database"] = 5;
  CHECK_THROWS_WITH(Manifest::from_json(j, "m.json"),
                    Catch::Contains("\"database\" must be a string"));
}

TEST_CASE("manifest files are saved owner-only and load back", "[manifest]") {
  migsafe::util::TempDir dir("migsafe-test-");
  const auto path = dir.path() / "b.json";
  Manifest m = example();
  save_manifest(path, m);
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  check_equal(load_manifest(path), m);

  m.status = "failed";
  save_manifest(path, m);  // replacing works
  CHECK(load_manifest(path).status == "failed");

  std::ofstream(dir.path() / "bad.json") << "{ not json";
  CHECK_THROWS_WITH(load_manifest(dir.path() / "bad.json"), Catch::Contains("bad.json"));
  CHECK_THROWS_WITH(load_manifest(dir.path() / "missing.json"), Catch::Contains("missing.json"));
}

TEST_CASE("backup ids are UTC time, sanitised database and version", "[manifest]") {
  using namespace std::chrono;
  const system_clock::time_point when =
      system_clock::from_time_t(1714564800) + milliseconds(999);  // 2024-05-01 12:00:00 UTC
  CHECK(make_backup_id(when, "app", "20240430") == "20240501T120000Z_app_v20240430");
  CHECK(make_backup_id(when, "my db/../x", "0") == "20240501T120000Z_my_db____x_v0");
  CHECK(make_backup_id(when, "app-prod_2", "1.2") == "20240501T120000Z_app-prod_2_v1.2");
  CHECK(make_backup_id(when, "caf\xc3\xa9", "0") == "20240501T120000Z_caf___v0");
  CHECK(iso8601_utc(when) == "2024-05-01T12:00:00Z");
}

TEST_CASE("store fields (pin, note, verification, copy, drill) survive a round trip", "[manifest]") {
  Manifest m = example();
  m.pinned = true;
  m.tag_note = "release 1.2";
  m.verified_at = "2024-05-02T00:00:00Z";
  m.copy = {{"status", "ok"}};
  m.restore_drill = {{"ok", true}, {"rto_ms", 1234}};
  m.encryption = {{"algorithm", "aes-256-gcm"}, {"key_id", "0123456789abcdef"}};
  Manifest back = Manifest::from_json(m.to_json(), "test");
  CHECK(back.pinned);
  CHECK(back.tag_note == "release 1.2");
  CHECK(back.verified_at == m.verified_at);
  CHECK(back.copy == m.copy);
  CHECK(back.restore_drill == m.restore_drill);
  CHECK(back.to_json() == m.to_json());
  CHECK_FALSE(Manifest::from_json(example().to_json(), "test").pinned);
}
