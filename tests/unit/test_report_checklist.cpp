// The release checklist: snapshots of the Markdown for a successful and a failed run, what is
// ticked (with evidence) and what is left to a human, and rendering from a report read back.
// Set MIGSAFE_UPDATE_SNAPSHOTS=1 to rewrite the expected files after an intended change.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "report/checklist.hpp"
#include "report_samples.hpp"

namespace {

std::filesystem::path snapshot_path(const std::string& name) {
  return std::filesystem::path(__FILE__).parent_path().parent_path() / "fixtures" / "checklist" /
         name;
}

// Compares `actual` with the snapshot `name`, or rewrites it when asked to.
void check_snapshot(const std::string& name, const std::string& actual) {
  auto path = snapshot_path(name);
  if (std::getenv("MIGSAFE_UPDATE_SNAPSHOTS") != nullptr)
    std::ofstream(path, std::ios::binary) << actual;
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in);
  std::stringstream expected;
  expected << in.rdbuf();
  INFO("snapshot " << path.string() << "; actual:\n" << actual);
  CHECK(actual == expected.str());
}

bool has_line(const std::string& text, const std::string& prefix) {
  return text.find("\n" + prefix) != std::string::npos;
}

}  // namespace

using migsafe::report::render_checklist;

TEST_CASE("the checklist of a successful run matches its snapshot", "[checklist]") {
  check_snapshot("succeeded.md", render_checklist(migsafe::test::succeeded_report()));
}

TEST_CASE("the checklist of a failed run matches its snapshot", "[checklist]") {
  check_snapshot("failed_restored.md", render_checklist(migsafe::test::failed_report()));
}

TEST_CASE("a successful run's checklist ticks what it proves, with the evidence", "[checklist]") {
  std::string md = render_checklist(migsafe::test::succeeded_report());
  CHECK(has_line(
      md,
      "- [x] Full database backup completed — `20240301T120000Z_app_v20240101000000`, "
      "`sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08`, 12.3 MiB"));
  CHECK(has_line(md, "- [x] Backup verified"));
  CHECK(has_line(md, "- [x] Migrations executed in order — 2 applied"));
  CHECK(has_line(md, "  - `20240301000000` add_due_date — applied in 36 ms"));
  CHECK(has_line(md, "- [x] Test suite run and passing — 4/4 tests passed in 1 file(s)"));
  CHECK(has_line(
      md, "- [x] RLS policies verified — 1 finding(s), 0 at error level; 1/1 RLS cases passed"));
  CHECK(has_line(md, "- [x] Migration completed successfully"));
}

TEST_CASE("items migsafe cannot prove stay unticked for a human", "[checklist]") {
  std::string md = render_checklist(migsafe::test::succeeded_report());
  CHECK(has_line(md, "- [ ] Application functionality tested (smoke test) — for a human"));
  CHECK(has_line(md,
                 "- [ ] Team notified of the result — for a human; `on_success` hook "
                 "`./scripts/notify.sh` exited 0"));
  CHECK(has_line(md, "- [ ] Migration plan reviewed by the team — for a human"));
}

TEST_CASE("a failed run ticks nothing it did not achieve and says what happened", "[checklist]") {
  std::string md = render_checklist(migsafe::test::failed_report());
  CHECK(md.find("**The run FAILED**") != std::string::npos);
  CHECK(has_line(md, "- [ ] Migrations executed in order — a migration failed"));
  CHECK(has_line(
      md,
      "  - `20240301000000` add_due_date — failed in 4 ms: supabase/migrations/"
      "20240301000000_add_due_date.sql:7:12: column \"due\" does not exist (SQLSTATE 42703)"));
  CHECK(has_line(md, "- [ ] Migration completed successfully — status failed_restored"));
  CHECK(has_line(md, "- [ ] Test suite run and passing — no pgTAP tests ran"));
  CHECK(has_line(md, "- [ ] RLS policies verified — RLS checks did not run"));
  CHECK(has_line(md, "- [x] Database returned to its pre-run state — rollback in 9 ms"));
  CHECK(has_line(md, "- [x] Full database backup completed"));
}

TEST_CASE("a run that could not be restored asks a human to restore the backup", "[checklist]") {
  auto r = migsafe::test::failed_report();
  r.status = migsafe::report::RunStatus::failed_unrestored;
  r.exit_code = 3;
  r.restore->verified = false;
  r.restore->method = "pg_restore";
  r.restore->differences = {"table public.todos: column due_at differs"};
  std::string md = render_checklist(r);
  CHECK(has_line(md, "- [ ] Database returned to its pre-run state — pg_restore NOT verified"));
  CHECK(has_line(md, "  - table public.todos: column due_at differs"));
  CHECK(md.find("--id 20240301T120000Z_app_v20240101000000") != std::string::npos);
  CHECK(md.find("a human must act") != std::string::npos);
}

TEST_CASE("a report read back from its JSON gives the same checklist", "[checklist][json]") {
  for (const auto& r : {migsafe::test::succeeded_report(), migsafe::test::failed_report()}) {
    auto back = migsafe::report::from_json(migsafe::report::to_json(r));
    CHECK(render_checklist(back) == render_checklist(r));
    CHECK(migsafe::report::to_json(back) == migsafe::report::to_json(r));
  }
}

TEST_CASE("a dry run's checklist says the migrations were rolled back and completes nothing",
          "[checklist]") {
  auto r = migsafe::test::succeeded_report();
  r.status = migsafe::report::RunStatus::dry_run;
  r.dry_run = true;
  for (auto& m : r.migrations) m.status = migsafe::report::MigrationStatus::would_apply;
  std::string md = render_checklist(r);
  CHECK(md.find("Dry run: the pipeline ran against the target") != std::string::npos);
  CHECK(
      has_line(md, "- [x] Migrations executed in order, then rolled back (dry run) — mode atomic"));
  CHECK(has_line(md, "- [ ] Migration completed successfully — status dry_run"));
}
