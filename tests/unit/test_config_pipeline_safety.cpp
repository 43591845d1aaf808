#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "config/pipeline.hpp"
#include "core/error.hpp"
#include "util/temp_dir.hpp"

namespace fs = std::filesystem;
using namespace migsafe::config;

namespace {

const std::string kMinimal = "version = 1\n[migrations]\ndir = \"migrations\"\n";

// Loads `toml` from a fresh directory that has a `migrations/` folder; returns the pipeline or the
// usage error's message.
struct Loaded {
  std::optional<Pipeline> pipeline;
  std::string error;
};

Loaded load(const std::string& toml) {
  migsafe::util::TempDir dir("migsafe-safety-");
  fs::create_directory(dir.path() / "migrations");
  std::ofstream(dir.path() / "deploy.toml") << toml;
  Loaded out;
  try {
    out.pipeline = load_pipeline(dir.path() / "deploy.toml");
  } catch (const migsafe::Error& e) {
    CHECK(e.code() == migsafe::Exit::usage);
    out.error = e.what();
  }
  return out;
}

}  // namespace

TEST_CASE("[safety] defaults: measure on, fail on errors only, large above a million rows or 1 GiB", "[pipeline][safety]") {
  auto loaded = load(kMinimal);
  REQUIRE(loaded.pipeline);
  const Safety& s = loaded.pipeline->safety;
  CHECK(s.measure);
  CHECK(s.lock_retries == 0);
  CHECK(!s.lock_timeout);
  CHECK(!s.max_exclusive_lock);
  CHECK(s.fail_on == RlsFailOn::error);
  CHECK(s.large_table_rows == 1'000'000);
  CHECK(s.large_table_bytes == 1LL << 30);
}

TEST_CASE("[safety] reads thresholds, fail_on and ignores with reasons", "[pipeline][safety]") {
  auto loaded = load(kMinimal +
                     "[safety]\nlock_timeout = \"200ms\"\nlock_retries = 5\nmax_exclusive_lock = \"2s\"\nfail_on = \"warn\"\n"
                     "large_table_rows = 1000\nlarge_table_bytes = 65536\nmeasure = false\n"
                     "ignore = [{ rule = \"index_without_concurrently\", object = \"public.big\", reason = \"window\" }]\n");
  REQUIRE(loaded.pipeline);
  const Safety& s = loaded.pipeline->safety;
  CHECK(s.lock_retries == 5);
  CHECK(s.lock_timeout == std::chrono::milliseconds{200});
  CHECK(s.max_exclusive_lock == std::chrono::milliseconds{2000});
  CHECK(s.fail_on == RlsFailOn::warn);
  CHECK(s.large_table_rows == 1000);
  CHECK(s.large_table_bytes == 65536);
  CHECK(!s.measure);
  REQUIRE(s.ignore.size() == 1);
  CHECK(s.ignore[0].rule == "index_without_concurrently");
  CHECK(s.ignore[0].reason == "window");
}

TEST_CASE("[safety] refuses unknown keys, a bad fail_on and an ignore without a reason", "[pipeline][safety]") {
  CHECK(load(kMinimal + "[safety]\nretries = 3\n").error.find("5:1") != std::string::npos);
  CHECK(load(kMinimal + "[safety]\nfail_on = \"never\"\n").error.find("fail_on") != std::string::npos);
  CHECK(load(kMinimal + "[safety]\nignore = [{ rule = \"x\", object = \"t\" }]\n").error.find("reason") !=
        std::string::npos);
  CHECK(load(kMinimal + "[safety]\nignore = [{ rule = \"x\", object = \"t\", reason = \"  \" }]\n")
            .error.find("needs a reason") != std::string::npos);
  CHECK(load(kMinimal + "[safety]\nlarge_table_rows = -1\n").error.find("large_table_rows") != std::string::npos);
}
