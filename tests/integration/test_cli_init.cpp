// `migsafe init` on a fixture repository (tests/fixtures/init/project, copied): the pipeline it
// writes passes `migsafe validate` and `run --ephemeral` runs the project to exit 0; a second init
// refuses (exit 2) and changes nothing; --github writes a workflow that python3-yaml parses.
#include <catch2/catch.hpp>
#include <filesystem>
#include <map>

#include "harness.hpp"
#include "util/process.hpp"

using migsafe::test::Project;
using migsafe::test::read_file;
namespace fs = std::filesystem;

namespace {

const fs::path kFixture = fs::path(MIGSAFE_SOURCE_DIR) / "tests/fixtures/init/project";

// A fresh copy of the fixture repository under the project's directory.
fs::path copy_fixture(const Project& p) {
  fs::path repo = p.dir() / "repo";
  fs::copy(kFixture, repo, fs::copy_options::recursive);
  return repo;
}

// Every regular file under `dir` with its content: what "changes nothing" compares.
std::map<std::string, std::string> tree(const fs::path& dir) {
  std::map<std::string, std::string> out;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) out[fs::relative(entry.path(), dir).string()] = read_file(entry.path());
  }
  return out;
}

// Parses YAML with python3-yaml and returns it as JSON.
nlohmann::json load_yaml(const fs::path& file) {
  migsafe::util::Command c;
  c.argv = {"python3", "-c",
            "import json, sys, yaml\nprint(json.dumps(yaml.safe_load(open(sys.argv[1]))))\n", file.string()};
  auto r = migsafe::util::run_process(c);
  INFO(r.stderr_text);
  REQUIRE(r.ok());
  return nlohmann::json::parse(r.stdout_text);
}

}  // namespace

TEST_CASE("init writes a pipeline that validates and runs the project on --ephemeral", "[init]") {
  Project p("init_runs", false);
  const fs::path repo = copy_fixture(p);
  auto init = p.migsafe({"init", repo.string()});
  INFO(init.err);
  REQUIRE(init.exit_code == 0);

  const fs::path pipeline = repo / "pipelines/migsafe.toml";
  const std::string text = read_file(pipeline);
  INFO(text);
  // Owned: public and what the migrations create (not the one inside a string literal or comment).
  CHECK(text.find("schemas = [\"public\", \"private\", \"api\"]") != std::string::npos);
  CHECK(text.find("not_a_schema") == std::string::npos);
  // Exposed: config.toml's [api] schemas without Supabase's own graphql_public.
  CHECK(text.find("exposed_schemas = [\"public\", \"api\"]") != std::string::npos);
  CHECK(text.find("tests = [\"../supabase/tests/**/*.sql\"]") != std::string::npos);
  CHECK(text.find("dir = \"../supabase/migrations\"") != std::string::npos);
  CHECK(text.find("dir = \"../.migsafe/backups\"") != std::string::npos);
  const std::string gitignore = read_file(repo / ".gitignore");
  CHECK(gitignore.rfind("node_modules/\n.env\n", 0) == 0);  // kept as it was, appended to
  CHECK(gitignore.find("\n/.migsafe/\n") != std::string::npos);
  CHECK_FALSE(fs::exists(repo / ".github"));

  auto validate = p.migsafe({"validate", pipeline.string()});
  INFO(validate.err);
  CHECK(validate.exit_code == 0);

  auto run = p.migsafe({"run", pipeline.string(), "--ephemeral", "--json"});
  INFO(run.err << run.out);
  REQUIRE(run.exit_code == 0);
  auto report = run.json();
  CHECK(report["status"] == "succeeded");
  CHECK(report["migrations"].size() == 2);
  REQUIRE(report["tests"].size() == 1);
  CHECK(report["tests"][0]["passed"] == 3);
  // The backup went where the pipeline says, which git ignores.
  CHECK(fs::exists(repo / ".migsafe/backups" / (report["backup"]["backup_id"].get<std::string>() + ".json")));
}

TEST_CASE("a second init refuses with exit 2, names the file and changes nothing", "[init]") {
  Project p("init_twice", false);
  const fs::path repo = copy_fixture(p);
  REQUIRE(p.migsafe({"init", repo.string(), "--github"}).exit_code == 0);
  const auto before = tree(repo);

  auto again = p.migsafe({"init", repo.string(), "--github"});
  CHECK(again.exit_code == 2);
  CHECK(again.err.find((repo / "pipelines/migsafe.toml").string()) != std::string::npos);
  CHECK(again.err.find("already exists") != std::string::npos);
  CHECK(tree(repo) == before);

  // Only the workflow is there: still refused before the pipeline is written.
  fs::remove(repo / "pipelines/migsafe.toml");
  const auto without_pipeline = tree(repo);
  auto workflow_only = p.migsafe({"init", repo.string(), "--github"});
  CHECK(workflow_only.exit_code == 2);
  CHECK(workflow_only.err.find((repo / ".github/workflows/migsafe.yml").string()) != std::string::npos);
  CHECK(tree(repo) == without_pipeline);
}

TEST_CASE("init --github writes a workflow that parses and runs the new pipeline", "[init][workflow]") {
  Project p("init_github", false);
  const fs::path repo = copy_fixture(p);
  auto init = p.migsafe({"init", repo.string(), "--github", "--action",
                         "acme/migsafe/.github/actions/migsafe@v1"});
  INFO(init.err);
  REQUIRE(init.exit_code == 0);
  auto workflow = load_yaml(repo / ".github/workflows/migsafe.yml");
  auto dry_run = workflow["jobs"]["dry-run"]["steps"][1];
  CHECK(dry_run["uses"] == "acme/migsafe/.github/actions/migsafe@v1");
  CHECK(dry_run["with"]["pipeline"] == "pipelines/migsafe.toml");
  CHECK(dry_run["with"]["args"] == "--ephemeral");
  auto deploy = workflow["jobs"]["deploy"]["steps"][1];
  CHECK(deploy["with"]["pipeline"] == "pipelines/migsafe.toml");
  CHECK(deploy["with"]["database-url"] == "${{ secrets.DATABASE_URL }}");
  // The paths it watches exist in the repository.
  CHECK(fs::exists(repo / "pipelines/migsafe.toml"));
  CHECK(fs::is_directory(repo / "supabase"));
}

TEST_CASE("init without supabase/ refuses with exit 2 and writes nothing", "[init]") {
  Project p("init_no_supabase", false);
  fs::create_directories(p.dir() / "empty");
  auto r = p.migsafe({"init", (p.dir() / "empty").string()});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("supabase") != std::string::npos);
  CHECK(fs::is_empty(p.dir() / "empty"));
}
