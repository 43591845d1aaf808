// `[backup.remote]` in the pipeline file: defaults, every key, and what is refused with file:line.
#include <catch2/catch.hpp>
#include <fstream>

#include "config/pipeline.hpp"
#include "core/error.hpp"
#include "util/temp_dir.hpp"

using namespace migsafe::config;
namespace fs = std::filesystem;

namespace {

const std::string kHead = "version = 1\n[migrations]\ndir = \"migrations\"\n[backup.remote]\n";

// Loads kHead + `remote` from a scratch directory; the error's message when it fails, else "".
std::string load_remote(const std::string& remote, Pipeline* out = nullptr) {
  migsafe::util::TempDir dir("migsafe-remote-config-");
  fs::create_directory(dir.path() / "migrations");
  std::ofstream(dir.path() / "p.toml") << kHead + remote;
  try {
    Pipeline p = load_pipeline(dir.path() / "p.toml");
    if (out) *out = p;
    return "";
  } catch (const migsafe::Error& e) {
    CHECK(e.code() == migsafe::Exit::usage);
    return e.what();
  }
}

}  // namespace

TEST_CASE("backup.remote: defaults and every key", "[pipeline][remote]") {
  Pipeline p;
  REQUIRE(load_remote("url = \"s3://acme-backups/prod\"\n", &p).empty());
  REQUIRE(p.backup.remote);
  CHECK(p.backup.remote->url == "s3://acme-backups/prod");
  CHECK(p.backup.remote->required);
  CHECK(p.backup.remote->access_key_id_env == "AWS_ACCESS_KEY_ID");
  CHECK(p.backup.remote->secret_access_key_env == "AWS_SECRET_ACCESS_KEY");
  CHECK(p.backup.remote->session_token_env == "AWS_SESSION_TOKEN");
  CHECK(p.backup.remote->part_size_mib == 16);
  CHECK(p.backup.remote->pos.line == 4);

  REQUIRE(load_remote("url = \"s3://b-1/x\"\nendpoint = \"http://127.0.0.1:9000\"\nregion = "
                      "\"eu-west-1\"\nforce_path_style = true\nrequired = false\n"
                      "access_key_id_env = \"R2_ID\"\nsecret_access_key_env = \"R2_KEY\"\n"
                      "session_token_env = \"R2_TOKEN\"\npart_size_mib = 8\n",
                      &p)
              .empty());
  CHECK(p.backup.remote->endpoint == "http://127.0.0.1:9000");
  CHECK(p.backup.remote->region == "eu-west-1");
  CHECK(p.backup.remote->force_path_style);
  CHECK_FALSE(p.backup.remote->required);
  CHECK(p.backup.remote->secret_access_key_env == "R2_KEY");
  CHECK(p.backup.remote->part_size_mib == 8);
}

TEST_CASE("backup.remote: bad values are usage errors at their line", "[pipeline][remote]") {
  CHECK(load_remote("endpoint = \"http://x\"\n").find("missing required key 'backup.remote.url'") !=
        std::string::npos);
  std::string bad_url = load_remote("url = \"https://bucket/x\"\n");
  CHECK(bad_url.find(":5:") != std::string::npos);
  CHECK(bad_url.find("s3://") != std::string::npos);
  CHECK(load_remote("url = \"s3://b-1\"\nendpoint = \"ftp://x\"\n").find(":6:") != std::string::npos);
  CHECK(load_remote("url = \"s3://b-1\"\nsecret_access_key_env = \"not a name\"\n")
            .find("environment variable") != std::string::npos);
  CHECK(load_remote("url = \"s3://b-1\"\npart_size_mib = 1\n").find("part_size_mib") !=
        std::string::npos);
  CHECK(load_remote("url = \"s3://b-1\"\nsecret_access_key = \"x\"\n").find("secret_access_key") !=
        std::string::npos);
}
