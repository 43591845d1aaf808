// format = "directory": pg_dump -Fd with jobs, per-file checksums, verify, drill and restore.
#include <sys/stat.h>

#include <catch2/catch.hpp>

#include <fstream>

#include "harness.hpp"

using migsafe::test::Project;
using migsafe::test::differences;
namespace fs = std::filesystem;

TEST_CASE("directory-format backups carry per-file checksums, verify, drill and restore by tag",
          "[backup]") {
  Project p("backup_directory");
  p.pipeline(migsafe::test::pipeline_body_with("dir = \"backups\"",
                                               "dir = \"backups\"\nformat = \"directory\"\njobs = 2"));
  p.migration("20240101000000_a.sql",
              "create table public.a as select g as id from generate_series(1, 1000) g;\n"
              "create table public.b as select g as id, g::text as v from generate_series(1, 500) g;\n");
  REQUIRE(p.migsafe({"run", "{pipeline}", "--db", "{db}"}).exit_code == 0);
  const auto at_tag = p.snapshot();
  p.migration("20240102000000_c.sql", "alter table public.b add column w int;\ninsert into public.a select g from generate_series(1001, 1100) g;\n");
  auto run = p.migsafe({"run", "{pipeline}", "--db", "{db}", "--json"});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  auto backup = run.json()["backup"];
  CHECK(backup["format"] == "directory");
  REQUIRE(backup["files"].is_object());
  CHECK(backup["files"].contains("toc.dat"));
  const fs::path dir = p.dir() / "backups" / backup["file"].get<std::string>();
  REQUIRE(fs::is_directory(dir));
  struct stat st {};
  for (const auto& e : fs::directory_iterator(dir)) {
    REQUIRE(::stat(e.path().c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
  }

  auto drill = p.migsafe({"backup", "verify", "{pipeline}", "--db", "{db}", "--all", "--restore-drill", "--json"});
  INFO(drill.err);
  CHECK(drill.exit_code == 0);
  auto r = p.migsafe({"backup", "restore", "{pipeline}", "--db", "{db}", "--tag", "20240101000000", "--yes"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(differences(at_tag, p.snapshot()) == "");

  std::string damaged;
  for (const auto& [name, sum] : backup["files"].items()) {
    if (name != "toc.dat") damaged = name;
  }
  std::ofstream(dir / damaged, std::ios::app) << "x";
  auto bad = p.migsafe({"backup", "verify", "{pipeline}", "--id", backup["backup_id"].get<std::string>()});
  CHECK(bad.exit_code == 4);
  CHECK(bad.err.find(damaged + ": checksum mismatch") != std::string::npos);
  CHECK(p.migsafe({"backup", "health", "{pipeline}", "--min-size-ratio", "0"}).exit_code == 4);
}
