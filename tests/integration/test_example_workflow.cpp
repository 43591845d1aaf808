// The example workflow, the composite action and the pre-deploy hook: valid YAML with the jobs,
// inputs and outputs the issue names; the database URL reaches migsafe only through the
// environment; every command their steps call exists (its --help runs) and every shell step parses.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <regex>
#include <set>

#include "harness.hpp"
#include "util/process.hpp"

using migsafe::test::Project;
namespace fs = std::filesystem;

namespace {

const fs::path kSource = MIGSAFE_SOURCE_DIR;
const fs::path kAction = kSource / ".github/actions/migsafe/action.yml";
const fs::path kWorkflow = kSource / "examples/workflows/migsafe.yml";

// Parses a YAML file with python3-yaml (installed by scripts/setup.sh) and returns it as JSON.
nlohmann::json load_yaml(const fs::path& file) {
  migsafe::util::Command c;
  c.argv = {"python3", "-c",
            "import json, sys, yaml\n"
            "doc = yaml.safe_load(open(sys.argv[1]))\n"
            "def keys(x):\n"
            "    if isinstance(x, dict): return {str(k): keys(v) for k, v in x.items()}\n"
            "    if isinstance(x, list): return [keys(v) for v in x]\n"
            "    return x\n"
            "print(json.dumps(keys(doc)))\n",
            file.string()};
  auto r = migsafe::util::run_process(c);
  INFO("python3 -c 'import yaml' needs python3-yaml (scripts/setup.sh installs it): "
       << r.stderr_text);
  REQUIRE(r.ok());
  return nlohmann::json::parse(r.stdout_text);
}

// Every `run:` script in a workflow's jobs or a composite action's steps.
std::vector<std::string> run_scripts(const nlohmann::json& doc) {
  std::vector<std::string> out;
  auto collect = [&out](const nlohmann::json& steps) {
    for (const auto& s : steps) {
      if (s.contains("run")) out.push_back(s["run"].get<std::string>());
    }
  };
  if (doc.contains("runs")) collect(doc["runs"]["steps"]);
  if (doc.contains("jobs")) {
    for (const auto& [name, job] : doc["jobs"].items()) collect(job["steps"]);
  }
  return out;
}

migsafe::util::ProcessResult run(const std::vector<std::string>& argv) {
  migsafe::util::Command c;
  c.argv = argv;
  c.cwd = kSource.string();
  return migsafe::util::run_process(c);
}

// The step of `job` that uses `action` (by prefix).
nlohmann::json step_using(const nlohmann::json& job, const std::string& action) {
  for (const auto& s : job["steps"]) {
    if (s.value("uses", std::string()).rfind(action, 0) == 0) return s;
  }
  FAIL("no step uses " << action);
  return {};
}

}  // namespace

TEST_CASE("the composite action is valid YAML with the inputs and outputs the issue names",
          "[workflow]") {
  auto action = load_yaml(kAction);
  CHECK(action["runs"]["using"] == "composite");
  for (const char* input : {"pipeline", "database-url", "dry-run", "args"})
    CHECK(action["inputs"].contains(input));
  for (const char* output :
       {"status", "exit_code", "from_version", "to_version", "backup_id", "report"}) {
    CHECK(action["outputs"].contains(output));
  }
}

TEST_CASE("the example workflow dry-runs pull requests on --ephemeral and deploys main",
          "[workflow]") {
  auto workflow = load_yaml(kWorkflow);
  auto pr = step_using(workflow["jobs"]["dry-run"], "./.github/actions/migsafe");
  CHECK(pr["with"]["dry-run"] == "true");
  CHECK(pr["with"]["args"].get<std::string>().find("--ephemeral") != std::string::npos);
  auto deploy_job = workflow["jobs"]["deploy"];
  CHECK(deploy_job["if"].get<std::string>().find("refs/heads/main") != std::string::npos);
  auto deploy = step_using(deploy_job, "./.github/actions/migsafe");
  CHECK(deploy["with"]["database-url"] == "${{ secrets.DATABASE_URL }}");
  auto upload = step_using(deploy_job, "actions/upload-artifact@");
  CHECK(upload["with"]["path"].get<std::string>().find(
            deploy["with"]["report"].get<std::string>()) != std::string::npos);
  CHECK(upload["with"]["path"].get<std::string>().find(
            deploy["with"]["checklist"].get<std::string>()) != std::string::npos);
}

TEST_CASE("the database URL reaches migsafe through the environment, never a command line",
          "[workflow][secrets]") {
  auto action = load_yaml(kAction);
  for (const auto& script : run_scripts(action))
    CHECK(script.find("database-url") == std::string::npos);
  bool in_env = false;
  for (const auto& s : action["runs"]["steps"]) {
    if (!s.contains("env")) continue;
    for (const auto& [name, value] : s["env"].items())
      in_env |= value.get<std::string>() == "${{ inputs.database-url }}";
  }
  CHECK(in_env);
}

TEST_CASE("every shell step of the action and the workflow parses", "[workflow]") {
  for (const auto& file : {kAction, kWorkflow}) {
    for (auto script : run_scripts(load_yaml(file))) {
      script = std::regex_replace(script, std::regex(R"(\$\{\{[^}]*\}\})"), "X");
      auto r = run({"bash", "-n", "-c", script});
      INFO(file.string() << ":\n" << script << "\n" << r.stderr_text);
      CHECK(r.ok());
    }
  }
}

TEST_CASE("the commands the steps call exist and take the flags they are given", "[workflow]") {
  std::set<std::string> subcommands;
  std::string all;
  for (const auto& file : {kAction, kWorkflow}) {
    for (const auto& script : run_scripts(load_yaml(file))) all += script + "\n";
  }
  std::regex call(R"(migsafe\s+([a-z][a-z-]*))");
  for (std::sregex_iterator it(all.begin(), all.end(), call), end; it != end; ++it)
    subcommands.insert((*it)[1]);
  CHECK(subcommands == std::set<std::string>{"backup", "checklist", "run"});
  for (const auto& sub : subcommands) {
    auto help = run({MIGSAFE_BINARY, sub, "--help"});
    INFO("migsafe " << sub << " --help: " << help.stderr_text);
    CHECK(help.ok());
    if (sub == "run") {
      for (const char* flag : {"--report", "--dry-run", "--ephemeral"})
        CHECK(help.stdout_text.find(flag) != std::string::npos);
    }
    if (sub == "checklist") {
      for (const char* flag : {"--from", "--output"})
        CHECK(help.stdout_text.find(flag) != std::string::npos);
    }
  }
  auto setup = kSource / "scripts/setup.sh";  // not run here: it installs packages
  CHECK(access(setup.c_str(), X_OK) == 0);
  CHECK(run({"bash", "-n", setup.string()}).ok());
  CHECK(migsafe::util::find_program("cmake"));
  CHECK(run({(kSource / "examples/hooks/pre-deploy.sh").string(), "--help"}).ok());
}

TEST_CASE("the pre-deploy hook blocks a deploy on a failed run and explains the exit code",
          "[workflow][hooks]") {
  Project p("pre_deploy");
  p.pipeline();
  p.migration("20240101000000_a.sql", "create table public.a (id int);\n");
  p.migration("20240102000000_b.sql",
              "\n\nalter table public.a add column b int references nowhere(id);\n");
  migsafe::util::Command c;
  c.argv = {(kSource / "examples/hooks/pre-deploy.sh").string(), p.pipeline_path().string()};
  c.cwd = p.dir().string();
  c.env = {{"MIGSAFE", MIGSAFE_BINARY}, {"DATABASE_URL", p.db_arg()}};
  c.unset_env = {"GITHUB_ACTIONS"};
  auto r = migsafe::util::run_process(c);
  INFO(r.stderr_text);
  CHECK(r.exit_code == 1);
  CHECK(r.stderr_text.find("pre-deploy: BLOCKED (exit 1)") != std::string::npos);
  CHECK(fs::exists(p.dir() / "migsafe-checklist.md"));
  CHECK(p.value("select to_regclass('public.a') is null") == "t");

  p.migration("20240102000000_b.sql", "alter table public.a add column b int;\n");
  r = migsafe::util::run_process(c);
  INFO(r.stderr_text);
  CHECK(r.exit_code == 0);
  CHECK(r.stderr_text.find("the deploy may go on") != std::string::npos);
}
