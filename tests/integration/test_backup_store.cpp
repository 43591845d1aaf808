// The backup store: list, show and verify by id and tag, JSON output, create outside a run, file
// modes, prune, pin, health and [backup.copy].
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <thread>

#include "harness.hpp"

using migsafe::test::Project;
namespace fs = std::filesystem;

namespace {

// Two runs (versions 1 and 2) and a manual backup: three backups tagged 0, 1 and 2.
void three_backups(const Project& p) {
  p.migration(
      "20240101000000_a.sql",
      "create table public.a (id int primary key);\ninsert into public.a values (1), (2);\n");
  REQUIRE(p.migsafe({"run", "{pipeline}", "--db", "{db}"}).exit_code == 0);
  p.migration("20240102000000_b.sql", "create table public.b (id int);\n");
  REQUIRE(p.migsafe({"run", "{pipeline}", "--db", "{db}"}).exit_code == 0);
  auto created = p.migsafe(
      {"backup", "create", "{pipeline}", "--db", "{db}", "--tag-note", "weekly", "--json"});
  INFO(created.err);
  REQUIRE(created.exit_code == 0);
}

nlohmann::json list(const Project& p) {
  auto r = p.migsafe({"backup", "list", "{pipeline}", "--json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return r.json();
}

void flip_byte(const fs::path& file, long offset) {
  std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(offset);
  char c = 0;
  f.get(c);
  f.seekp(offset);
  f.put(char(c ^ 0x20));
}

fs::path data_file(const nlohmann::json& entry) {
  return entry["file"].get<std::string>();
}

}  // namespace

TEST_CASE("list, show and verify work by id and by tag, newest first, with JSON", "[backup]") {
  Project p("backup_store_list");
  p.pipeline();
  three_backups(p);
  auto all = list(p);
  REQUIRE(all.size() == 3);
  CHECK(all[0]["migration_version"] == "20240102000000");
  CHECK(all[0]["kind"] == "manual");
  CHECK(all[1]["migration_version"] == "20240101000000");
  CHECK(all[2]["migration_version"] == "0");
  CHECK(all[1]["target_version"] == "20240102000000");
  for (const auto& e : all) CHECK(e["verified"] == true);

  auto shown = p.migsafe({"backup", "show", "{pipeline}", "--tag", "20240101000000"});
  REQUIRE(shown.exit_code == 0);
  CHECK(nlohmann::json::parse(shown.out)["backup_id"] == all[1]["backup_id"]);
  auto by_id =
      p.migsafe({"backup", "show", "{pipeline}", "--id", all[2]["backup_id"].get<std::string>()});
  CHECK(nlohmann::json::parse(by_id.out)["kind"] == "pre-run");
  CHECK(p.migsafe({"backup", "show", "{pipeline}", "--tag", "19990101000000"}).exit_code == 2);

  auto table = p.migsafe({"backup", "list", "{pipeline}"});
  CHECK(table.out.find(all[0]["backup_id"].get<std::string>()) != std::string::npos);
  CHECK(p.migsafe({"backup", "verify", "{pipeline}", "--tag", "0"}).exit_code == 0);
  CHECK(
      p.migsafe({"backup", "verify", "{pipeline}", "--id", all[1]["backup_id"].get<std::string>()})
          .exit_code == 0);
  auto every = p.migsafe({"backup", "verify", "{pipeline}", "--all", "--json"});
  INFO(every.err);
  CHECK(every.exit_code == 0);
  CHECK(every.json()["backups"].size() == 3);
}

TEST_CASE(
    "create outside a run is tagged with the current version; files are 0600, the directory 0700",
    "[backup]") {
  Project p("backup_store_create");
  p.pipeline();
  three_backups(p);
  auto newest = list(p)[0];
  auto manifest = nlohmann::json::parse(
      p.migsafe({"backup", "show", "{pipeline}", "--id", newest["backup_id"].get<std::string>()})
          .out);
  CHECK(manifest["migration_version"] == "20240102000000");
  CHECK(manifest["tag_note"] == "weekly");
  CHECK(manifest["row_counts"]["public.a"] == 2);
  struct stat st {};
  REQUIRE(::stat((p.dir() / "backups").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0700);
  for (const auto& e : fs::directory_iterator(p.dir() / "backups")) {
    REQUIRE(::stat(e.path().c_str(), &st) == 0);
    INFO(e.path());
    CHECK((st.st_mode & 0777) == 0600);
  }
}

TEST_CASE("prune keeps the newest verified and pinned backups; --dry-run removes nothing",
          "[backup]") {
  Project p("backup_store_prune");
  p.pipeline();
  for (int i = 0; i < 4; ++i)
    REQUIRE(p.migsafe({"backup", "create", "{pipeline}", "--db", "{db}"}).exit_code == 0);
  auto all = list(p);
  REQUIRE(all.size() == 4);
  // The newest is damaged and found so by verify: the newest *verified* one is now the second.
  flip_byte(data_file(all[0]), 100);
  CHECK(
      p.migsafe({"backup", "verify", "{pipeline}", "--id", all[0]["backup_id"].get<std::string>()})
          .exit_code == 4);
  CHECK(p.migsafe({"backup", "pin", "{pipeline}", all[3]["backup_id"].get<std::string>()})
            .exit_code == 0);
  p.pipeline(migsafe::test::pipeline_body_with(
      "dir = \"backups\"", "dir = \"backups\"\nkeep_last = 1\nmax_age_days = 0"));
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));

  auto dry = p.migsafe({"backup", "prune", "{pipeline}", "--dry-run", "--json"});
  INFO(dry.err);
  REQUIRE(dry.exit_code == 0);
  CHECK(dry.json()["removed"] == nlohmann::json::array({all[2]["backup_id"]}));
  CHECK(list(p).size() == 4);
  REQUIRE(p.migsafe({"backup", "prune", "{pipeline}"}).exit_code == 0);
  auto left = list(p);
  REQUIRE(left.size() == 3);
  CHECK(left[0]["status"] == "failed");
  CHECK(left[1]["backup_id"] == all[1]["backup_id"]);
  CHECK(left[2]["pinned"] == true);
  CHECK_FALSE(fs::exists(data_file(all[2])));
}

TEST_CASE(
    "health passes on a sound store and fails when too old, after a size drop, or on a corrupt "
    "file",
    "[backup]") {
  Project p("backup_store_health");
  p.pipeline();
  p.query(
      "create table public.big as select g as id, md5(g::text) || md5((g * 7)::text) as v from "
      "generate_series(1, 20000) g");
  REQUIRE(p.migsafe({"backup", "create", "{pipeline}", "--db", "{db}"}).exit_code == 0);
  CHECK(p.migsafe({"backup", "health", "{pipeline}", "--max-age", "1h"}).exit_code == 0);

  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  auto old = p.migsafe({"backup", "health", "{pipeline}", "--max-age", "1s"});
  CHECK(old.exit_code == 4);
  CHECK(old.err.find("more than --max-age") != std::string::npos);

  p.query("truncate public.big");
  REQUIRE(p.migsafe({"backup", "create", "{pipeline}", "--db", "{db}"}).exit_code == 0);
  auto drop = p.migsafe({"backup", "health", "{pipeline}", "--max-age", "1h"});
  CHECK(drop.exit_code == 4);
  CHECK(drop.err.find("sudden size drop") != std::string::npos);
  CHECK(p.migsafe({"backup", "health", "{pipeline}", "--min-size-ratio", "0"}).exit_code == 0);

  flip_byte(data_file(list(p)[1]), 200);
  auto corrupt = p.migsafe({"backup", "health", "{pipeline}", "--min-size-ratio", "0"});
  CHECK(corrupt.exit_code == 4);
  CHECK(corrupt.err.find("checksum mismatch") != std::string::npos);
}

TEST_CASE("[backup.copy] runs per backup with the paths in its environment and is recorded",
          "[backup]") {
  Project p("backup_store_copy");
  fs::create_directories(p.dir() / "offsite");
  p.pipeline(migsafe::test::default_pipeline_body() +
             "[backup.copy]\ncommand = \"cp \\\"$MIGSAFE_BACKUP_FILE\\\" "
             "\\\"$MIGSAFE_BACKUP_MANIFEST\\\" offsite/\"\n");
  auto r = p.migsafe({"backup", "create", "{pipeline}", "--db", "{db}", "--json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.json()["copy"]["status"] == "ok");
  CHECK(fs::exists(p.dir() / "offsite" / r.json()["file"].get<std::string>()));

  p.pipeline(migsafe::test::default_pipeline_body() +
             "[backup.copy]\ncommand = \"exit 3\"\non_error = \"fail\"\n");
  auto failed = p.migsafe({"backup", "create", "{pipeline}", "--db", "{db}"});
  CHECK(failed.exit_code == 4);
  CHECK(failed.err.find("backup copy") != std::string::npos);
  CHECK(list(p)[0]["backup_id"].is_string());
}

TEST_CASE("list, show, prune and health accept the contract's TARGET: --db, --local, --ephemeral",
          "[backup]") {
  Project p("backup_store_target");
  p.pipeline();
  p.migration("20240101000000_a.sql", "create table public.a (id int);\n");
  REQUIRE(p.migsafe({"run", "{pipeline}", "--db", "{db}"}).exit_code == 0);
  const std::string id = list(p)[0]["backup_id"];
  for (const std::vector<std::string>& target :
       {std::vector<std::string>{"--db", "{db}"}, {"--local"}, {"--ephemeral"}}) {
    for (const std::vector<std::string>& command :
         {std::vector<std::string>{"list"}, {"show", "--id", id}, {"prune", "--dry-run"}, {"health"}}) {
      std::vector<std::string> args = {"backup", command[0], "{pipeline}"};
      args.insert(args.end(), command.begin() + 1, command.end());
      args.insert(args.end(), target.begin(), target.end());
      args.push_back("--json");
      auto r = p.migsafe(args);
      INFO(command[0] + " " + target[0] + ": " + r.err);
      CHECK(r.exit_code == 0);
      CHECK(r.err.find("not expected") == std::string::npos);
      CHECK((r.out.find(id) != std::string::npos || command[0] == "health" || command[0] == "prune"));
    }
  }
  // The flags stay exclusive, as for every other command.
  CHECK(p.migsafe({"backup", "list", "{pipeline}", "--local", "--ephemeral"}).exit_code == 2);
}
