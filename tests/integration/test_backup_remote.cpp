// Off-site backups ([backup.remote]) against a real S3 service (Swift + s3api, which checks SigV4
// signatures and multipart uploads), judged by rclone, pg_dump and the database itself.
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "harness.hpp"
#include "s3_server.hpp"
#include "util/process.hpp"
#include "util/sha256.hpp"

using namespace migsafe::test;
namespace fs = std::filesystem;

namespace {

// The default pipeline with `[backup.remote]` on `bucket` (prefix "db") and `extra` lines.
std::string remote_body(const std::string& bucket, const std::string& extra = "") {
  return default_pipeline_body() + "[backup.remote]\nurl = \"s3://" + bucket +
         "/db\"\nendpoint = \"" + s3_server().endpoint +
         "\"\nregion = \"us-east-1\"\nforce_path_style = true\npart_size_mib = 5\n" + extra;
}

Outcome run(const Project& p, const std::vector<std::string>& args,
            std::map<std::string, std::string> env = {}) {
  auto all = s3_env();
  for (auto& [k, v] : env) all[k] = v;
  return p.migsafe(args, all);
}

nlohmann::json list(const Project& p, bool remote) {
  std::vector<std::string> args = {"backup", "list", "{pipeline}", "--json"};
  if (remote) args.push_back("--remote");
  auto r = run(p, args);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return r.json();
}

std::vector<std::string> ids(const nlohmann::json& listed) {
  std::vector<std::string> out;
  for (const auto& e : listed) out.push_back(e["backup_id"]);
  return out;
}

// The schema as pg_dump (not migsafe) sees it, without its version header and \restrict key.
std::string schema_dump(const Project& p) {
  migsafe::util::Command c;
  c.argv = {"/usr/lib/postgresql/15/bin/pg_dump", "--schema-only", "--no-password",
            "--dbname=" + p.db_arg()};
  c.env = p.conninfo().child_environment();
  auto r = migsafe::util::run_process(c);
  REQUIRE(r.ok());
  std::string out;
  std::istringstream lines(r.stdout_text);
  for (std::string line; std::getline(lines, line);)
    if (line.rfind("\\restrict", 0) != 0 && line.rfind("\\unrestrict", 0) != 0 &&
        line.rfind("-- Dumped", 0) != 0)
      out += line + "\n";
  return out;
}

// Puts `bytes` with its middle byte flipped as object `db/name` of `bucket`, through rclone.
void put_corrupted(const Project& p, const std::string& bucket, const std::string& name,
                   std::string bytes) {
  bytes[bytes.size() / 2] = char(bytes[bytes.size() / 2] ^ 0x20);
  const fs::path bad = p.dir() / "bad.bin";
  std::ofstream(bad, std::ios::binary | std::ios::trunc) << bytes;
  REQUIRE(rclone({"copyto", bad.string(), "s3:" + bucket + "/db/" + name}).ok());
}

std::string history(const Project& p) {
  return p.value("select coalesce(string_agg(version, ',' order by version), '') from "
                 "supabase_migrations.schema_migrations");
}

}  // namespace

TEST_CASE("a run with required = true uploads, verifies and tags the remote copy", "[s3][backup]") {
  make_bucket("remote-run");
  Project p("backup_remote_run");
  p.pipeline(remote_body("remote-run"));
  p.migration("20240101000000_a.sql",
              "create table public.a (id int primary key, v text);\n"
              "insert into public.a select i, md5(i::text) from generate_series(1, 1000) i;\n");
  auto r = run(p, {"run", "{pipeline}", "--db", "{db}", "--json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto backup = r.json()["backup"];
  const std::string id = backup["backup_id"];
  CHECK(backup["remote"]["status"] == "verified");
  CHECK(backup["remote"]["url"] == "s3://remote-run/db/");

  // rclone (not migsafe) finds the three objects and the data's sha256 is the manifest's.
  const std::string file = backup["file"];
  CHECK(list_keys("remote-run", "db") ==
        std::vector<std::string>{file, id + ".json", id + ".schema.sql"});
  auto cat = rclone({"cat", "s3:remote-run/db/" + file});
  REQUIRE(cat.ok());
  CHECK("sha256:" + migsafe::util::sha256_hex(cat.stdout_text) == backup["checksum"]);
  CHECK(read_file(p.dir() / "backups" / file) == cat.stdout_text);
  auto manifest = rclone({"cat", "s3:remote-run/db/" + id + ".json"});
  CHECK(nlohmann::json::parse(manifest.stdout_text)["migration_version"] == "0");

  // The remote store lists it, tagged with the version a restore returns to.
  auto remote = list(p, true);
  REQUIRE(remote.size() == 1);
  CHECK(remote[0]["backup_id"] == id);
  CHECK(remote[0]["migration_version"] == "0");
  CHECK(remote[0]["verified"] == true);
  auto shown = run(p, {"backup", "show", "{pipeline}", "--remote", "--tag", "0"});
  CHECK(nlohmann::json::parse(shown.out)["checksum"] == backup["checksum"]);
  CHECK(run(p, {"backup", "verify", "{pipeline}", "--remote", "--tag", "0"}).exit_code == 0);
  CHECK(run(p, {"backup", "health", "{pipeline}", "--remote"}).exit_code == 0);
}

TEST_CASE("a fresh directory restores --tag V from the remote store alone", "[s3][backup]") {
  make_bucket("remote-restore");
  Project p("backup_remote_restore");
  p.pipeline(remote_body("remote-restore"));
  p.migration("20240101000000_a.sql",
              "create table public.a (id int primary key, v text);\n"
              "insert into public.a values (1, 'one'), (2, 'two');\n");
  REQUIRE(run(p, {"run", "{pipeline}", "--db", "{db}"}).exit_code == 0);
  const std::string schema = schema_dump(p), hist = history(p);
  const auto at_v1 = p.snapshot();
  p.migration("20240102000000_b.sql",
              "alter table public.a add column w int default 7;\n"
              "insert into public.a values (3, 'three');\n");
  REQUIRE(run(p, {"run", "{pipeline}", "--db", "{db}"}).exit_code == 0);
  p.migration("20240103000000_c.sql",
              "create table public.c (id int);\nupdate public.a set v = 'uno' where id = 1;\n");
  REQUIRE(run(p, {"run", "{pipeline}", "--db", "{db}"}).exit_code == 0);
  REQUIRE(schema_dump(p) != schema);

  fs::remove_all(p.dir() / "backups");  // a new runner: the repository, an empty disk
  auto r = run(p, {"backup", "restore", "{pipeline}", "--db", "{db}", "--remote", "--tag",
                   "20240101000000", "--yes"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(schema_dump(p) == schema);
  CHECK(differences(at_v1, p.snapshot()) == "");
  CHECK(history(p) == hist);
}

TEST_CASE("a wrong secret key is exit 4 before any migration, and the secret is not printed",
          "[s3][backup]") {
  make_bucket("remote-denied");
  Project p("backup_remote_denied");
  p.pipeline(remote_body("remote-denied"));
  p.migration("20240101000000_a.sql", "create table public.a (id int);\n");
  auto r = run(p, {"run", "{pipeline}", "--db", "{db}"},
               {{"AWS_SECRET_ACCESS_KEY", "wrong-secret-x9"}});
  CHECK(r.exit_code == 4);
  CHECK(r.err.find("SignatureDoesNotMatch") != std::string::npos);
  CHECK(r.err.find("remote-denied") != std::string::npos);
  CHECK((r.out + r.err).find("wrong-secret-x9") == std::string::npos);
  CHECK(p.value("select count(*) from pg_tables where tablename = 'a'") == "0");
  CHECK(history(p).empty());
  CHECK(list_keys("remote-denied", "db").empty());

  auto unset = p.migsafe({"run", "{pipeline}", "--db", "{db}"},
                         {{"AWS_ACCESS_KEY_ID", "test:tester"}, {"AWS_SECRET_ACCESS_KEY", ""}});
  CHECK(unset.exit_code == 2);
  CHECK(unset.err.find("AWS_SECRET_ACCESS_KEY") != std::string::npos);
  CHECK(p.value("select count(*) from pg_tables where tablename = 'a'") == "0");
}

TEST_CASE("secrets named by *_env keys are masked in GitHub Actions", "[s3][backup]") {
  make_bucket("remote-masked");
  Project p("backup_remote_masked");
  p.pipeline(remote_body("remote-masked",
                         "access_key_id_env = \"MY_S3_ID\"\nsecret_access_key_env = \"MY_S3_KEY\"\n"));
  auto r = p.migsafe({"backup", "create", "{pipeline}", "--db", "{db}"},
                     {{"MY_S3_ID", s3_server().access_key},
                      {"MY_S3_KEY", s3_server().secret_key},
                      {"AWS_ACCESS_KEY_ID", "nobody"},
                      {"GITHUB_ACTIONS", "true"}});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK((r.out + r.err).find("::add-mask::" + s3_server().secret_key) != std::string::npos);
  CHECK(list_keys("remote-masked", "db").size() == 3);
}

TEST_CASE("a corrupted remote object fails verify --remote and is never restored", "[s3][backup]") {
  make_bucket("remote-corrupt");
  Project p("backup_remote_corrupt");
  p.pipeline(remote_body("remote-corrupt"));
  p.migration("20240101000000_a.sql",
              "create table public.a (id int primary key);\ninsert into public.a values (1), (2);\n");
  auto first = run(p, {"run", "{pipeline}", "--db", "{db}", "--json"});
  REQUIRE(first.exit_code == 0);
  const std::string file = first.json()["backup"]["file"];
  const auto before_restore = p.snapshot();

  // Replace the remote data object with a copy that has one byte flipped.
  put_corrupted(p, "remote-corrupt", file, read_file(p.dir() / "backups" / file));

  auto verify = run(p, {"backup", "verify", "{pipeline}", "--remote", "--tag", "0", "--json"});
  CHECK(verify.exit_code == 4);
  CHECK(verify.json()["ok"] == false);
  CHECK(verify.json()["backups"][0]["error"].get<std::string>().find("checksum mismatch") !=
        std::string::npos);
  CHECK(list(p, true)[0]["status"] == "failed");
  CHECK(run(p, {"backup", "health", "{pipeline}", "--remote"}).exit_code == 4);

  fs::remove_all(p.dir() / "backups");
  auto restore = run(p, {"backup", "restore", "{pipeline}", "--db", "{db}", "--remote", "--tag",
                         "0", "--yes"});
  CHECK(restore.exit_code == 4);
  CHECK(restore.err.find("checksum mismatch") != std::string::npos);
  CHECK(differences(before_restore, p.snapshot()) == "");
  CHECK_FALSE(fs::exists(p.dir() / "backups" / file));
}

TEST_CASE("prune removes the same set remotely as locally, never the pinned or newest verified",
          "[s3][backup]") {
  make_bucket("remote-prune");
  Project p("backup_remote_prune");
  p.pipeline(remote_body("remote-prune"));
  for (int i = 1; i <= 3; ++i) {
    p.migration("2024010" + std::to_string(i) + "000000_m.sql",
                "create table public.t" + std::to_string(i) + " (id int);\n");
    REQUIRE(run(p, {"run", "{pipeline}", "--db", "{db}"}).exit_code == 0);
  }
  REQUIRE(run(p, {"backup", "create", "{pipeline}", "--db", "{db}"}).exit_code == 0);
  auto local = ids(list(p, false));
  REQUIRE(ids(list(p, true)) == local);
  REQUIRE(local.size() == 4);
  // The oldest is pinned in both stores.
  REQUIRE(run(p, {"backup", "pin", "{pipeline}", local[3]}).exit_code == 0);
  REQUIRE(run(p, {"backup", "pin", "{pipeline}", "--remote", local[3]}).exit_code == 0);

  std::string body = remote_body("remote-prune");
  body.replace(body.find("[backup]\ndir = \"backups\"\n"), 25,
               "[backup]\ndir = \"backups\"\nkeep_last = 1\nmax_age_days = 0\n");
  p.pipeline(body);
  auto pruned_local = run(p, {"backup", "prune", "{pipeline}", "--json"});
  auto pruned_remote = run(p, {"backup", "prune", "{pipeline}", "--remote", "--json"});
  REQUIRE(pruned_local.exit_code == 0);
  REQUIRE(pruned_remote.exit_code == 0);
  CHECK(pruned_local.json()["removed"] == pruned_remote.json()["removed"]);
  CHECK(pruned_local.json()["removed"] == nlohmann::json({local[1], local[2]}));
  CHECK(ids(list(p, false)) == std::vector<std::string>{local[0], local[3]});
  CHECK(ids(list(p, true)) == ids(list(p, false)));
  // rclone sees exactly the kept backups' objects.
  CHECK(list_keys("remote-prune", "db").size() == 6);
}

TEST_CASE("the server going away mid-upload is exit 4, no migration, no half object listed",
          "[s3][backup]") {
  make_bucket("remote-gone");
  Project p("backup_remote_gone");
  p.pipeline(remote_body("remote-gone"));
  // ~60 MB of random bytes: incompressible, so the upload takes many 5 MiB parts.
  p.query("create table public.big (id int, b bytea)");
  p.query("insert into public.big select i, decode(md5(random()::text) || md5(random()::text), "
          "'hex') from generate_series(1, 1500000) i");
  p.migration("20240101000000_a.sql", "create table public.a (id int);\n");
  // The first run ever records itself in migsafe's ledger, refused or not: judged apart from it.
  const std::vector<std::string> history = {"migsafe", "supabase_migrations"};
  const auto pre_run = p.snapshot(history);
  for (const auto& [k, v] : s3_env()) setenv(k.c_str(), v.c_str(), 1);
  int pid = p.spawn_migsafe({"run", "{pipeline}", "--db", "{db}"});
  // Once two parts have gone to the uploader, the multipart upload exists: stop the service.
  bool started = false;
  for (int i = 0; i < 3000 && !started; ++i) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(p.dir() / "backups", ec))
      if (entry.path().extension() == ".partial" && entry.file_size(ec) > 11u * 1024 * 1024)
        started = true;
    if (!started) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  REQUIRE(started);
  stop_s3_server();
  int code = Project::wait_migsafe(pid);
  start_s3_server_again();
  INFO(read_file(p.dir() / "spawned.out"));
  CHECK(code == 4);
  CHECK(p.value("select count(*) from pg_tables where tablename = 'a'") == "0");
  CHECK(differences(pre_run, p.snapshot(history)) == "");
  CHECK(list_keys("remote-gone", "db").empty());
  CHECK(list(p, true).empty());
}

TEST_CASE("required = false: an unreachable store warns and the run migrates; push uploads later",
          "[s3][backup]") {
  make_bucket("remote-optional");
  Project p("backup_remote_optional");
  std::string body = remote_body("remote-optional", "required = false\n");
  std::string dead = body;
  dead.replace(dead.find(s3_server().endpoint), s3_server().endpoint.size(), "http://127.0.0.1:9");
  p.pipeline(dead);
  p.migration("20240101000000_a.sql", "create table public.a (id int);\n");
  auto r = run(p, {"run", "{pipeline}", "--db", "{db}", "--json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(p.value("select count(*) from pg_tables where tablename = 'a'") == "1");
  CHECK(r.json()["warnings"].dump().find("no remote copy") != std::string::npos);

  p.pipeline(body);
  auto pushed = run(p, {"backup", "push", "{pipeline}", "--json"});
  INFO(pushed.err);
  REQUIRE(pushed.exit_code == 0);
  CHECK(pushed.json()["pushed"].size() == 1);
  CHECK(ids(list(p, true)) == ids(list(p, false)));
  CHECK(run(p, {"backup", "verify", "{pipeline}", "--remote", "--all"}).exit_code == 0);
  auto again = run(p, {"backup", "push", "{pipeline}", "--json"});
  CHECK(again.json()["pushed"].empty());
}

namespace {

// Every object under `bucket/db` as rclone (not migsafe) lists it with its metadata, each checked
// against its own bytes as rclone downloads them: `migsafe-sha256` and `migsafe-bytes` must be the
// object's. Returns the number of objects.
size_t check_object_metadata(const std::string& bucket) {
  auto listed = rclone({"lsjson", "-R", "--files-only", "-M", "s3:" + bucket + "/db"});
  REQUIRE(listed.ok());
  auto objects = nlohmann::json::parse(listed.stdout_text);
  for (const auto& o : objects) {
    const std::string path = o["Path"];
    INFO(path << ": " << o.dump());
    auto cat = rclone({"cat", "s3:" + bucket + "/db/" + path});
    REQUIRE(cat.ok());
    REQUIRE(o.contains("Metadata"));
    CHECK(o["Metadata"].value("migsafe-sha256", "") == migsafe::util::sha256_hex(cat.stdout_text));
    CHECK(o["Metadata"].value("migsafe-bytes", "") == std::to_string(cat.stdout_text.size()));
  }
  return objects.size();
}

}  // namespace

TEST_CASE("every remote object carries its own size and sha256, checked when it is read",
          "[s3][backup]") {
  make_bucket("remote-meta");
  Project p("backup_remote_meta");
  p.pipeline(remote_body("remote-meta"));
  // ~10 MB of random bytes: the streamed upload takes parts of 5 MiB before the hash is known.
  p.query("create table public.big (id int, b bytea)");
  p.query("insert into public.big select i, decode(md5(random()::text) || md5(random()::text), "
          "'hex') from generate_series(1, 300000) i");
  auto created = run(p, {"backup", "create", "{pipeline}", "--db", "{db}", "--json"});
  INFO(created.err);
  REQUIRE(created.exit_code == 0);
  const auto backup = created.json();
  const std::string id = backup["backup_id"], file = backup["file"];
  CHECK(backup["remote"]["parts"].get<int>() >= 2);
  CHECK(check_object_metadata("remote-meta") == 3);

  // `backup push` of the finished file (one PUT signed with the manifest's sha256) does the same.
  REQUIRE(rclone({"delete", "s3:remote-meta/db"}).ok());
  REQUIRE(list_keys("remote-meta", "db").empty());
  auto pushed = run(p, {"backup", "push", "{pipeline}", "--json"});
  INFO(pushed.err);
  REQUIRE(pushed.exit_code == 0);
  CHECK(pushed.json()["pushed"].size() == 1);
  CHECK(check_object_metadata("remote-meta") == 3);
  CHECK(run(p, {"backup", "verify", "{pipeline}", "--remote", "--all"}).exit_code == 0);

  // The same bytes put back by another client lose the metadata: verify, health and restore all
  // refuse the object.
  const fs::path local = p.dir() / "backups" / file;
  REQUIRE(rclone({"copyto", "--ignore-times", local.string(), "s3:remote-meta/db/" + file}).ok());
  CHECK(rclone({"cat", "s3:remote-meta/db/" + file}).stdout_text == read_file(local));
  auto verify = run(p, {"backup", "verify", "{pipeline}", "--remote", "--id", id, "--json"});
  CHECK(verify.exit_code == 4);
  CHECK(verify.json()["backups"][0]["error"].get<std::string>().find("migsafe-sha256") !=
        std::string::npos);
  auto health = run(p, {"backup", "health", "{pipeline}", "--remote"});
  CHECK(health.exit_code == 4);
  CHECK((health.out + health.err).find("migsafe-sha256") != std::string::npos);
  const fs::path fresh = p.dir() / "fresh";
  std::string body = remote_body("remote-meta");
  body.replace(body.find("dir = \"backups\""), 15, "dir = \"fresh\"");
  p.pipeline(body);
  auto restore = run(p, {"backup", "restore", "{pipeline}", "--db", "{db}", "--remote", "--id",
                         id, "--yes"});
  CHECK(restore.exit_code == 4);
  CHECK(restore.err.find("migsafe-sha256") != std::string::npos);
  CHECK_FALSE(fs::exists(fresh / file));

  // A local file that no longer matches its manifest is refused, and nothing is listed.
  REQUIRE(rclone({"delete", "s3:remote-meta/db"}).ok());
  p.pipeline(remote_body("remote-meta"));
  std::string bytes = read_file(local);
  bytes[bytes.size() / 3] = char(bytes[bytes.size() / 3] ^ 0x01);
  std::ofstream(local, std::ios::binary | std::ios::trunc) << bytes;
  auto refused = run(p, {"backup", "push", "{pipeline}", "--id", id});
  CHECK(refused.exit_code == 4);
  CHECK(list_keys("remote-meta", "db").empty());
  CHECK(list(p, true).empty());
}

TEST_CASE("verify --remote --restore-drill restores the downloaded copy into a scratch database",
          "[s3][backup]") {
  make_bucket("remote-drill");
  Project p("backup_remote_drill");
  p.pipeline(remote_body("remote-drill"));
  p.migration("20240101000000_a.sql",
              "create table public.a (id int primary key, v text);\n"
              "insert into public.a select i, md5(i::text) from generate_series(1, 500) i;\n");
  REQUIRE(run(p, {"run", "{pipeline}", "--db", "{db}"}).exit_code == 0);
  fs::remove_all(p.dir() / "backups");
  auto drill = run(p, {"backup", "verify", "{pipeline}", "--db", "{db}", "--remote", "--all",
                       "--restore-drill", "--json"});
  INFO(drill.err);
  REQUIRE(drill.exit_code == 0);
  const auto outcome = drill.json()["backups"][0];
  CHECK(outcome["ok"] == true);
  CHECK(outcome["restore_drill"]["ok"] == true);
  // The outcome is in the remote manifest (read with rclone), and nothing was left on disk.
  const std::string id = outcome["backup_id"];
  auto manifest = rclone({"cat", "s3:remote-drill/db/" + id + ".json"});
  REQUIRE(manifest.ok());
  auto m = nlohmann::json::parse(manifest.stdout_text);
  CHECK(m["status"] == "verified");
  CHECK(m["restore_drill"]["ok"] == true);
  CHECK_FALSE(fs::exists(p.dir() / "backups" / (id + ".json")));

  // A corrupted object fails the drill before any restore.
  const std::string file = m["file"];
  put_corrupted(p, "remote-drill", file, rclone({"cat", "s3:remote-drill/db/" + file}).stdout_text);
  auto failed = run(p, {"backup", "verify", "{pipeline}", "--db", "{db}", "--remote", "--all",
                        "--restore-drill", "--json"});
  CHECK(failed.exit_code == 4);
  CHECK(failed.json()["backups"][0]["error"].get<std::string>().find("checksum mismatch") !=
        std::string::npos);
  CHECK(list(p, true)[0]["status"] == "failed");
}
