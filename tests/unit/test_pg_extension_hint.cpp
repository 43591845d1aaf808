#include <catch2/catch.hpp>

#include "pg/extension_hint.hpp"

using migsafe::pg::missing_extension_hint;

namespace {

// What PostgreSQL 15 says when the control file is missing.
const char* kDetail15 =
    "Could not open extension control file \"/usr/share/postgresql/15/extension/vector.control\": "
    "No such file "
    "or directory.";

}  // namespace

TEST_CASE("a missing pgvector is pointed at the PostgreSQL project's repository",
          "[extension_hint]") {
  auto hint = missing_extension_hint("extension \"vector\" is not available", kDetail15);
  REQUIRE(hint);
  CHECK(hint->find("extension vector") != std::string::npos);
  CHECK(hint->find("postgresql-15-pgvector") != std::string::npos);
  CHECK(hint->find("PostgreSQL project's own apt repository") != std::string::npos);
}

TEST_CASE("the package names the server's own major version", "[extension_hint]") {
  auto hint = missing_extension_hint(
      "extension \"http\" is not available",
      "Could not open extension control file \"/usr/share/postgresql/16/extension/"
      "http.control\": No such file or directory.");
  REQUIRE(hint);
  CHECK(hint->find("postgresql-16-http") != std::string::npos);
}

TEST_CASE("Supabase-only extensions are named as such", "[extension_hint]") {
  for (const char* name : {"pg_net", "pgsodium", "pg_graphql", "supabase_vault", "pg_jsonschema"}) {
    auto hint =
        missing_extension_hint(std::string("extension \"") + name + "\" is not available", "");
    REQUIRE(hint);
    CHECK(hint->find(std::string("extension ") + name + " comes with Supabase only") !=
          std::string::npos);
  }
}

TEST_CASE("Debian-packaged extensions get their apt-get line, preload ones the setting too",
          "[extension_hint]") {
  auto postgis = missing_extension_hint("extension \"postgis\" is not available", kDetail15);
  REQUIRE(postgis);
  CHECK(postgis->find("apt-get install postgresql-15-postgis-3") != std::string::npos);
  auto cron = missing_extension_hint("extension \"pg_cron\" is not available", kDetail15);
  REQUIRE(cron);
  CHECK(cron->find("shared_preload_libraries") != std::string::npos);
}

TEST_CASE("other errors get no extension hint; unknown extensions a generic one",
          "[extension_hint]") {
  CHECK_FALSE(missing_extension_hint("relation \"t\" does not exist", ""));
  CHECK_FALSE(missing_extension_hint("extension \"vector\" already exists", ""));
  auto other = missing_extension_hint("extension \"made_up\" is not available", kDetail15);
  REQUIRE(other);
  CHECK(other->find("postgresql-15-made_up") != std::string::npos);
}
