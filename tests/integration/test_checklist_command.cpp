// `migsafe checklist --from REPORT.json`: the release checklist of a real run, with its evidence.
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "harness.hpp"

using migsafe::test::Project;


TEST_CASE("the checklist of a real run ticks the backup and migrations with their evidence",
          "[checklist]") {
  Project p("checklist_run");
  p.pipeline();
  p.migration("20240101000000_a.sql", "create table public.a (id int);\n");
  auto report = p.dir() / "report.json";
  auto run = p.migsafe({"run", "{pipeline}", "--db", "{db}", "--report", report.string()});
  REQUIRE(run.exit_code == 0);
  auto r = p.migsafe(
      {"checklist", "--from", report.string(), "--output", (p.dir() / "checklist.md").string()});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  std::string md = migsafe::test::read_file(p.dir() / "checklist.md");
  auto json = nlohmann::json::parse(migsafe::test::read_file(report));
  std::string backup_id = json["backup"]["backup_id"];
  std::string checksum = json["backup"]["checksum"];
  CHECK(md.find("- [x] Full database backup completed — `" + backup_id + "`, `" + checksum + "`") !=
        std::string::npos);
  CHECK(md.find("- [x] Backup verified") != std::string::npos);
  CHECK(md.find("- [x] Migrations executed in order — 1 applied") != std::string::npos);
  CHECK(md.find("  - `20240101000000` a — applied in ") != std::string::npos);
  CHECK(md.find("- [ ] Application functionality tested (smoke test) — for a human") !=
        std::string::npos);

  auto to_stdout = p.migsafe({"checklist", "--from", report.string()});
  CHECK(to_stdout.exit_code == 0);
  CHECK(to_stdout.out == md);
}

TEST_CASE("checklist refuses a missing or malformed report with exit 2", "[checklist]") {
  Project p("checklist_bad", false);
  auto missing = p.migsafe({"checklist", "--from", (p.dir() / "nope.json").string()});
  CHECK(missing.exit_code == 2);
  CHECK(missing.err.find("nope.json") != std::string::npos);
  std::ofstream(p.dir() / "bad.json") << "{ not json";
  auto bad = p.migsafe({"checklist", "--from", (p.dir() / "bad.json").string()});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("not valid JSON") != std::string::npos);
}
