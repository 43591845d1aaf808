// `run` under GitHub Actions, end to end: annotations at the failing file and line, the job summary
// and step outputs, the checklist, and the password masked before anything else and absent after.
// Hidden () until `run` is wired to cli::publish_extras and report::emit_mask (cmd_run.cpp);
// remove the "" then.
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "harness.hpp"

using migsafe::test::Project;

namespace {

std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string read_all(const std::filesystem::path& dir) {
  std::string all;
  for (auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) all += slurp(e.path());
  }
  return all;
}

}  // namespace

TEST_CASE(
    "under GITHUB_ACTIONS a failing migration is annotated at line 7 and the password is masked",
    "[github][secrets]") {
  Project p("github_run");
  p.session()->exec("create role gh_owner login superuser password 'Sup3rSecretPw'");
  p.pipeline();
  p.migration("20240101000000_a.sql", "create table public.a (id int);\n");
  p.migration("20240102000000_b.sql",
              "-- 1\n-- 2\n-- 3\n-- 4\n-- 5\n-- 6\nselect * from missing_table;\n");
  auto info = p.conninfo();
  const std::string url = "postgresql://gh_owner:Sup3rSecretPw@/" + info.get("dbname") +
                          "?host=" + info.get("host") + "&port=" + info.get("port");
  auto dir = p.dir();
  auto r = p.migsafe({"run", "{pipeline}", "--db", url, "--report", (dir / "report.json").string(),
                      "--checklist", (dir / "checklist.md").string()},
                     {{"GITHUB_ACTIONS", "true"},
                      {"GITHUB_WORKSPACE", dir.string()},
                      {"GITHUB_STEP_SUMMARY", (dir / "summary.md").string()},
                      {"GITHUB_OUTPUT", (dir / "output").string()}});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  const std::string mask = "::add-mask::Sup3rSecretPw\n";
  REQUIRE(r.out.rfind(mask, 0) == 0);
  CHECK((r.out.substr(mask.size()) + r.err + read_all(dir)).find("Sup3rSecretPw") ==
        std::string::npos);
  CHECK(r.out.find("::error file=migrations/20240102000000_b.sql,line=7,col=15,") !=
        std::string::npos);
  CHECK(r.out.find("::group::backup: ok") != std::string::npos);

  auto report = nlohmann::json::parse(slurp(dir / "report.json"));
  std::string backup_id = report["backup"]["backup_id"];
  std::string summary = slurp(dir / "summary.md");
  CHECK(summary.find("failed_restored (exit 1)") != std::string::npos);
  CHECK(summary.find("`" + backup_id + "`") != std::string::npos);
  CHECK(summary.find("| `20240102000000` | b | failed") != std::string::npos);
  std::string outputs = slurp(dir / "output");
  CHECK(outputs.find("status=failed_restored\nexit_code=1\n") != std::string::npos);
  CHECK(outputs.find("backup_id=" + backup_id + "\n") != std::string::npos);
  CHECK(outputs.find("report=" + (dir / "report.json").string() + "\n") != std::string::npos);
  CHECK(slurp(dir / "checklist.md").find("**The run FAILED**") != std::string::npos);
  p.session()->exec("drop owned by gh_owner; drop role gh_owner");
}
