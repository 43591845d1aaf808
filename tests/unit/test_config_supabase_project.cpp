#include <catch2/catch.hpp>
#include <fstream>

#include "config/pipeline.hpp"
#include "config/pipeline_template.hpp"
#include "config/supabase_project.hpp"
#include "core/error.hpp"
#include "util/temp_dir.hpp"

namespace fs = std::filesystem;
using namespace migsafe::config;

namespace {

void write(const fs::path& file, const std::string& text) {
  fs::create_directories(file.parent_path());
  std::ofstream(file, std::ios::binary) << text;
}

}  // namespace

TEST_CASE("created_schemas finds CREATE SCHEMA as PostgreSQL reads it", "[init]") {
  CHECK(created_schemas("create schema app;") == std::vector<std::string>{"app"});
  CHECK(created_schemas("CREATE SCHEMA IF NOT EXISTS Private;\n") == std::vector<std::string>{"private"});
  CHECK(created_schemas("create schema \"My \"\"Api\"\"\" authorization postgres;") ==
        std::vector<std::string>{"My \"Api\""});
  CHECK(created_schemas("create schema authorization reporting;") == std::vector<std::string>{"reporting"});
  CHECK(created_schemas("-- create schema a;\n/* create schema b; */\nselect 'create schema c';\n"
                        "create /* here */ schema -- there\n d;")
            == std::vector<std::string>{"d"});
  CHECK(created_schemas("create table schema_x (id int); create schemas;").empty());
}

TEST_CASE("read_supabase_project reads the CLI's layout and config.toml", "[init]") {
  migsafe::util::TempDir dir("migsafe-init");
  write(dir.path() / "supabase/migrations/2_b.sql", "create schema beta; create schema alpha;");
  write(dir.path() / "supabase/migrations/1_a.sql", "create schema alpha;");
  write(dir.path() / "supabase/tests/deep/x_test.sql", "select 1;");
  write(dir.path() / "supabase/config.toml", "[api]\nschemas = [\"public\", \"graphql_public\"]\n");
  SupabaseProject project = read_supabase_project(dir.path());
  CHECK(project.created_schemas == std::vector<std::string>{"alpha", "beta"});
  CHECK(project.migration_files == 2);
  CHECK(project.has_tests);
  CHECK(project.api_schemas == std::vector<std::string>{"public", "graphql_public"});

  write(dir.path() / "supabase/config.toml", "[api]\nschemas = \"public\"\n");
  CHECK_THROWS_WITH(read_supabase_project(dir.path()), Catch::Contains("config.toml:2:"));
  write(dir.path() / "supabase/config.toml", "[api\n");
  CHECK_THROWS_WITH(read_supabase_project(dir.path()), Catch::Contains("config.toml:1:"));
  CHECK_THROWS_AS(read_supabase_project(dir.path() / "supabase"), migsafe::Error);
}

TEST_CASE("the rendered pipeline loads, with every value as given", "[init]") {
  migsafe::util::TempDir dir("migsafe-init");
  fs::create_directories(dir.path() / "supabase/migrations");
  PipelineTemplate t;
  t.name = "shop \"main\"";
  t.schemas = {"public", "app_2"};
  t.schemas_note = "note";
  t.migrations_dir = "../supabase/migrations";
  t.tests_glob = "../supabase/te\"sts/**/*.sql";
  t.backup_dir = "../.migsafe/backups";
  t.exposed_schemas = {"public", "api"};
  t.exposed_note = "note";
  write(dir.path() / "pipelines/migsafe.toml", render_pipeline(t));
  Pipeline p = load_pipeline(dir.path() / "pipelines/migsafe.toml");
  CHECK(p.name == "shop \"main\"");
  CHECK(p.database.schemas == t.schemas);
  CHECK(p.rls.enabled);
  CHECK(p.rls.exposed_schemas == t.exposed_schemas);
  REQUIRE(p.verify.tests.size() == 1);
  CHECK(p.verify.tests[0].find("te\"sts/**/*.sql") != std::string::npos);
}
