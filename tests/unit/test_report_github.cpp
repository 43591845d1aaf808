// GitHub Actions output: escaping as the workflow-command format requires, annotations at the
// right file/line, groups per step, the job summary, step outputs and masks.
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "report/github.hpp"
#include "report_samples.hpp"
#include "util/temp_dir.hpp"

using namespace migsafe::report;

namespace {

std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// A failed report with failing pgTAP tests and RLS findings at both levels.
Report checks_report() {
  Report r = migsafe::test::failed_report();
  r.tests = nlohmann::json::array({{{"file", "supabase/tests/todos.sql"},
                                    {"planned", 2},
                                    {"passed", 1},
                                    {"failed", 1},
                                    {"failures",
                                     {{{"number", 2},
                                       {"description", "owner, sees: own todos"},
                                       {"diagnostics", "have: 0\nwant: 1"}}}}},
                                   {{"file", "supabase/tests/broken.sql"},
                                    {"error",
                                     {{"file", "supabase/tests/broken.sql"},
                                      {"line", 3},
                                      {"column", 5},
                                      {"message", "syntax error"}}}}});
  r.rls = {{"findings",
            {{{"lint", "rls_disabled_in_public"},
              {"level", "error"},
              {"object", "public.todos"},
              {"message", "RLS is disabled"}},
             {{"lint", "rls_enabled_no_policy"},
              {"level", "warn"},
              {"object", "public.audit_log"},
              {"message", "no policy"}}}}};
  return r;
}

}  // namespace

TEST_CASE("messages and properties are escaped as the workflow-command format requires",
          "[github]") {
  CHECK(escape_data("100% done\r\nnext") == "100%25 done%0D%0Anext");
  CHECK(escape_data("a:b,c") == "a:b,c");
  CHECK(escape_property("dir/a:b,c%\n") == "dir/a%3Ab%2Cc%25%0A");
}

TEST_CASE("a failing migration is an error annotation at its file, line and column", "[github]") {
  std::string out =
      workflow_commands(migsafe::test::failed_report(), std::filesystem::current_path().string());
  CHECK(contains(
      out,
      "::error file=supabase/migrations/20240301000000_add_due_date.sql,line=7,col=12,"
      "title=migration 20240301000000_add_due_date failed::column \"due\" does not exist "
      "(SQLSTATE 42703)%0AHINT: Perhaps you meant to reference the column \"todos.due_at\".\n"));
}

TEST_CASE("annotation paths are relative to the repository root", "[github]") {
  CHECK(path_in_repo("/repo/supabase/migrations/1_a.sql", "/repo") ==
        "supabase/migrations/1_a.sql");
  CHECK(path_in_repo("/repo/supabase/../db/1_a.sql", "/repo/") == "db/1_a.sql");
  CHECK(path_in_repo("/elsewhere/1_a.sql", "/repo") == "/elsewhere/1_a.sql");
}

TEST_CASE("every step is a group holding its detail", "[github]") {
  std::string out = workflow_commands(migsafe::test::succeeded_report(), "/");
  CHECK(contains(out,
                 "::group::backup: ok (412 ms)\n12.3 MiB, sha256:9f86d081884c...\n::endgroup::\n"));
  CHECK(contains(
      out,
      "::group::hook before: exit 0\n./scripts/maintenance.sh on\nmaintenance on\n::endgroup::\n"));
  CHECK(!contains(out, "::error"));
}

TEST_CASE("a detail line that looks like a workflow command is not run as one", "[github]") {
  Report r = migsafe::test::succeeded_report();
  r.steps = {{"verify", StepStatus::ok, 1, "::set-env name=X::1"}};
  CHECK(contains(workflow_commands(r, "/"), "\n ::set-env name=X::1\n"));
}

TEST_CASE("failing pgTAP tests and RLS findings are annotated by level", "[github]") {
  std::string out = workflow_commands(checks_report(), std::filesystem::current_path().string());
  CHECK(contains(out,
                 "::error file=supabase/tests/todos.sql,title=pgTAP%3A not ok 2 owner%2C sees%3A "
                 "own todos::have: 0%0Awant: 1\n"));
  CHECK(contains(out,
                 "::error file=supabase/tests/broken.sql,line=3,col=5,title=pgTAP test file failed "
                 "to run::syntax error\n"));
  CHECK(
      contains(out, "::error title=RLS rls_disabled_in_public%3A public.todos::RLS is disabled\n"));
  CHECK(
      contains(out, "::warning title=RLS rls_enabled_no_policy%3A public.audit_log::no policy\n"));
}

TEST_CASE("the job summary has status, versions, backup, migrations, tests, RLS and restore",
          "[github]") {
  std::string md = step_summary_markdown(checks_report());
  CHECK(contains(md, "failed_restored (exit 1)"));
  CHECK(contains(md, "`20240101000000` → `20240101000000`"));
  CHECK(contains(md,
                 "`20240301T120000Z_app_v20240101000000` · "
                 "`sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08`"));
  CHECK(contains(md,
                 "| `20240301000000` | add_due_date | failed: "
                 "supabase/migrations/20240301000000_add_due_date.sql:7 "
                 "column \"due\" does not exist | 4 ms |"));
  CHECK(contains(md, "1/2 passed, 1 failed"));
  CHECK(contains(md, "| error | `rls_disabled_in_public` | `public.todos` | RLS is disabled |"));
  CHECK(contains(md, "rollback, verified in 9 ms"));
}

TEST_CASE("step outputs are name=value lines, multi-line values use a delimiter", "[github]") {
  Report r = migsafe::test::failed_report();
  CHECK(github_output_lines(r, "out/report.json") ==
        "status=failed_restored\nexit_code=1\nfrom_version=20240101000000\nto_version="
        "20240101000000\n"
        "backup_id=20240301T120000Z_app_v20240101000000\nreport=out/report.json\n");
  r.from_version = "a\nb";
  std::string lines = github_output_lines(r, "");
  const std::string start = "from_version<<MIGSAFE_EOF_";
  REQUIRE(contains(lines, start));
  const size_t at = lines.find(start) + start.size() - 12;
  std::string delimiter = lines.substr(at, lines.find('\n', at) - at);
  CHECK(contains(lines, "from_version<<" + delimiter + "\na\nb\n" + delimiter + "\nto_version="));
}

TEST_CASE("the summary and outputs are appended to the files GitHub names", "[github]") {
  migsafe::util::TempDir dir("migsafe-github-");
  auto summary = dir.path() / "summary.md", output = dir.path() / "output";
  std::ofstream(output) << "earlier=1\n";
  setenv("GITHUB_STEP_SUMMARY", summary.c_str(), 1);
  setenv("GITHUB_OUTPUT", output.c_str(), 1);
  append_github_files(migsafe::test::succeeded_report(), "report.json");
  unsetenv("GITHUB_STEP_SUMMARY");
  unsetenv("GITHUB_OUTPUT");
  CHECK(slurp(summary) == step_summary_markdown(migsafe::test::succeeded_report()));
  CHECK(slurp(output) ==
        "earlier=1\n" + github_output_lines(migsafe::test::succeeded_report(), "report.json"));
}

TEST_CASE("GitHub output is on with the flag or GITHUB_ACTIONS=true", "[github]") {
  unsetenv("GITHUB_ACTIONS");
  CHECK_FALSE(github_actions_enabled(false));
  CHECK(github_actions_enabled(true));
  setenv("GITHUB_ACTIONS", "true", 1);
  CHECK(github_actions_enabled(false));
  unsetenv("GITHUB_ACTIONS");
}

TEST_CASE("a mask is one escaped add-mask line", "[github]") {
  std::FILE* f = std::tmpfile();
  REQUIRE(f != nullptr);
  emit_mask("pa%ss:w", f);
  emit_mask("", f);
  std::rewind(f);
  char buffer[64] = {};
  size_t n = std::fread(buffer, 1, sizeof buffer - 1, f);
  std::fclose(f);
  CHECK(std::string(buffer, n) == "::add-mask::pa%25ss:w\n");
}
