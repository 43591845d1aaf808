// Restoring from the store: by tag after further runs, encrypted backups with the right key, and
// refusals (wrong key, flipped byte, truncation, swapped chunks) that leave the database untouched;
// restore drills; decrypt.
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "backup/store.hpp"
#include "harness.hpp"
#include "util/aes_gcm_stream.hpp"
#include "util/process.hpp"

using migsafe::test::Project;
using migsafe::test::differences;
namespace fs = std::filesystem;

namespace {

const std::map<std::string, std::string> kKey = {
    {"MIGSAFE_TEST_KEY", "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"}};
const std::map<std::string, std::string> kOtherKey = {
    {"MIGSAFE_TEST_KEY", "ff0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"}};

std::string history(const Project& p) {
  std::string out;
  for (const auto& row :
       p.query("select version from supabase_migrations.schema_migrations order by 1").rows)
    out += *row[0] + " ";
  out += "| ";
  for (const auto& row :
       p.query("select version, checksum from migsafe.migrations order by 1").rows)
    out += *row[0] + ":" + *row[1] + " ";
  return out;
}

void encrypted_pipeline(const Project& p) {
  p.pipeline(migsafe::test::pipeline_body_with(
      "dir = \"backups\"", "dir = \"backups\"\nencryption_key_env = \"MIGSAFE_TEST_KEY\""));
}

std::string read_all(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_all(const fs::path& file, const std::string& bytes) {
  std::ofstream(file, std::ios::binary | std::ios::trunc) << bytes;
}

// Rewrites the manifest's checksum and size to the damaged file's, as someone covering their tracks
// would: what is left to catch the damage is the encryption's own authentication.
void forge_manifest(const fs::path& manifest, const fs::path& data) {
  auto j = nlohmann::json::parse(read_all(manifest));
  j["checksum"] = migsafe::backup::file_checksum(data);
  j["bytes"] = fs::file_size(data);
  write_all(manifest, j.dump(2));
}

}  // namespace

TEST_CASE("restore --tag V after two further runs returns schema, data and history to V exactly",
          "[backup]") {
  Project p("backup_restore_tag");
  p.pipeline();
  p.migration("20240101000000_a.sql",
              "create table public.a (id int primary key, v text);\ninsert into public.a values "
              "(1, 'one'), (2, 'two');\n");
  REQUIRE(p.migsafe({"run", "{pipeline}", "--db", "{db}"}).exit_code == 0);
  const auto at_v1 = p.snapshot();
  const std::string hist = history(p);
  p.migration("20240102000000_b.sql",
              "alter table public.a add column w int default 7;\ninsert into public.a values (3, "
              "'three');\n");
  REQUIRE(p.migsafe({"run", "{pipeline}", "--db", "{db}"}).exit_code == 0);
  p.migration("20240103000000_c.sql",
              "create table public.c (id int);\nupdate public.a set v = 'uno' where id = 1;\n");
  REQUIRE(p.migsafe({"run", "{pipeline}", "--db", "{db}"}).exit_code == 0);
  REQUIRE(differences(at_v1, p.snapshot()) != "");

  auto no_yes =
      p.migsafe({"backup", "restore", "{pipeline}", "--db", "{db}", "--tag", "20240101000000"});
  CHECK(no_yes.exit_code == 4);
  CHECK(no_yes.err.find("--yes") != std::string::npos);

  auto r = p.migsafe({"backup", "restore", "{pipeline}", "--db", "{db}", "--tag", "20240101000000",
                      "--yes", "--json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(differences(at_v1, p.snapshot()) == "");
  CHECK(history(p) == hist);
  auto safety = p.migsafe(
      {"backup", "show", "{pipeline}", "--id", r.json()["safety_backup"].get<std::string>()});
  CHECK(nlohmann::json::parse(safety.out)["kind"] == "safety");
  CHECK(nlohmann::json::parse(safety.out)["migration_version"] == "20240103000000");
}

TEST_CASE(
    "an encrypted backup restores with the right key; tampering and a wrong key are refused "
    "untouched",
    "[backup]") {
  Project p("backup_restore_encrypted");
  encrypted_pipeline(p);
  p.query(
      "create table public.t as select g as id, md5(g::text) || md5(random()::text) as v from "
      "generate_series(1, 60000) g");
  auto created = p.migsafe({"backup", "create", "{pipeline}", "--db", "{db}", "--json"}, kKey);
  INFO(created.err);
  REQUIRE(created.exit_code == 0);
  const auto m = created.json();
  CHECK(m["encryption"]["algorithm"] == "aes-256-gcm");
  CHECK(m["encryption"]["key_id"].get<std::string>().size() == 16);
  CHECK(m.dump().find("000102030405") == std::string::npos);
  const fs::path file = p.dir() / "backups" / m["file"].get<std::string>();
  const fs::path manifest = p.dir() / "backups" / (m["backup_id"].get<std::string>() + ".json");
  CHECK(file.string().substr(file.string().size() - 13) == ".dump.zst.enc");
  REQUIRE(fs::file_size(file) > 2 * migsafe::util::kAesGcmDefaultChunk);
  const std::string original = read_all(file), original_manifest = read_all(manifest);
  const std::string id = m["backup_id"];

  p.query("delete from public.t where id > 100");
  p.query("create table public.extra (x int)");
  const auto pre_run = p.snapshot();
  auto refused = [&](const std::map<std::string, std::string>& env, const std::string& why,
                     int code = 4) {
    auto r =
        p.migsafe({"backup", "restore", "{pipeline}", "--db", "{db}", "--id", id, "--yes"}, env);
    INFO(why << "\n" << r.err);
    CHECK(r.exit_code == code);
    CHECK(differences(pre_run, p.snapshot()) == "");
    return r.err;
  };
  CHECK(refused(kOtherKey, "wrong key").find("wrong key") != std::string::npos);
  CHECK(refused({}, "no key (a configuration error)", 2).find("not set") != std::string::npos);

  std::string flipped = original;
  flipped[original.size() / 2] ^= 0x01;
  write_all(file, flipped);
  CHECK(refused(kKey, "flipped byte").find("checksum mismatch") != std::string::npos);
  forge_manifest(manifest, file);
  CHECK(refused(kKey, "flipped byte, forged checksum").find("failed authentication") !=
        std::string::npos);

  const size_t h = migsafe::util::kAesGcmHeaderSize,
               c = migsafe::util::kAesGcmDefaultChunk + migsafe::util::kAesGcmTagSize;
  write_all(file, original.substr(0, h + c));  // cut at a chunk boundary
  forge_manifest(manifest, file);
  CHECK(refused(kKey, "truncated").find("failed authentication as the last chunk") !=
        std::string::npos);
  write_all(file, original.substr(0, h) + original.substr(h + c, c) + original.substr(h, c) +
                      original.substr(h + 2 * c));
  forge_manifest(manifest, file);
  CHECK(refused(kKey, "swapped chunks").find("chunk 0 failed authentication") != std::string::npos);

  write_all(file, original);
  write_all(manifest, original_manifest);
  auto ok =
      p.migsafe({"backup", "restore", "{pipeline}", "--db", "{db}", "--id", id, "--yes"}, kKey);
  INFO(ok.err);
  REQUIRE(ok.exit_code == 0);
  CHECK(p.value("select count(*) from public.t") == "60000");
  CHECK(p.value("select to_regclass('public.extra') is null") == "t");
}

TEST_CASE("a restore drill passes on a good backup and fails on a corrupt one", "[backup]") {
  Project p("backup_restore_drill");
  encrypted_pipeline(p);
  p.query("create table public.t as select g as id, g::text as v from generate_series(1, 500) g");
  REQUIRE(p.migsafe({"backup", "create", "{pipeline}", "--db", "{db}"}, kKey).exit_code == 0);
  auto good = p.migsafe(
      {"backup", "verify", "{pipeline}", "--db", "{db}", "--all", "--restore-drill", "--json"},
      kKey);
  INFO(good.err);
  REQUIRE(good.exit_code == 0);
  auto drill = good.json()["backups"][0]["restore_drill"];
  CHECK(drill["ok"] == true);
  CHECK(drill["rto_ms"].is_number());
  CHECK(p.value("select count(*) from pg_database where datname like 'migsafe_drill_%'") == "0");

  auto listed = nlohmann::json::parse(p.migsafe({"backup", "list", "{pipeline}", "--json"}).out);
  fs::path file = listed[0]["file"].get<std::string>();
  std::string bytes = read_all(file);
  bytes[bytes.size() - 5] ^= 0x01;
  write_all(file, bytes);
  auto bad = p.migsafe(
      {"backup", "verify", "{pipeline}", "--db", "{db}", "--all", "--restore-drill", "--json"},
      kKey);
  CHECK(bad.exit_code == 4);
  CHECK(bad.json()["backups"][0]["ok"] == false);
}

TEST_CASE("decrypt writes a file that the stock zstd and pg_restore read", "[backup]") {
  Project p("backup_decrypt");
  encrypted_pipeline(p);
  p.query("create table public.t (id int)");
  auto created = p.migsafe({"backup", "create", "{pipeline}", "--db", "{db}", "--json"}, kKey);
  REQUIRE(created.exit_code == 0);
  fs::path out = p.dir() / "plain.dump.zst";
  auto r = p.migsafe({"backup", "decrypt", "{pipeline}", "--id", created.json()["backup_id"],
                      "--output", out.string()},
                     kKey);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  migsafe::util::Command sh;
  sh.argv = {"/bin/sh", "-c",
             "zstd -dc '" + out.string() + "' | /usr/lib/postgresql/15/bin/pg_restore --list"};
  auto listed = migsafe::util::run_process(sh);
  CHECK(listed.ok());
  CHECK(listed.stdout_text.find("TABLE public t") != std::string::npos);

  // The recipe in docs/backups.md decrypts without migsafe, to the same bytes (python3-cryptography
  // comes from scripts/setup.sh).
  std::string doc = read_all(fs::path(MIGSAFE_SOURCE_DIR) / "docs" / "backups.md");
  size_t begin = doc.find("```python\n"), end = doc.find("```", begin + 10);
  REQUIRE(end != std::string::npos);
  write_all(p.dir() / "decrypt.py", doc.substr(begin + 10, end - begin - 10));
  migsafe::util::Command python;
  python.argv = {"python3", (p.dir() / "decrypt.py").string(),
                 (p.dir() / "backups" / created.json()["file"].get<std::string>()).string(),
                 (p.dir() / "py.dump.zst").string()};
  python.env = {{"KEY", kKey.at("MIGSAFE_TEST_KEY")}};
  auto py = migsafe::util::run_process(python);
  INFO(py.stderr_text);
  CHECK(py.ok());
  CHECK(read_all(p.dir() / "py.dump.zst") == read_all(out));
}

TEST_CASE("a key file encrypts a run's pre-run backup like the variable does", "[backup]") {
  Project p("backup_key_file");
  std::ofstream(p.dir() / "backup.key") << "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n";
  p.pipeline(migsafe::test::pipeline_body_with(
      "dir = \"backups\"", "dir = \"backups\"\nencryption_key_file = \"backup.key\""));
  p.migration("20240101000000_a.sql", "create table public.a (id int);\n");
  auto run = p.migsafe({"run", "{pipeline}", "--db", "{db}", "--json"});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  auto backup = run.json()["backup"];
  CHECK(backup["file"].get<std::string>().find(".dump.zst.enc") != std::string::npos);
  // The same 32 bytes as kKey's hex: the same key id, whichever way the key is written.
  CHECK(backup["encryption"]["key_id"] == "630dcd2966c43366");
  CHECK(p.migsafe({"backup", "verify", "{pipeline}", "--all"}).exit_code == 0);
}

TEST_CASE("the copy command never sees the encryption key", "[backup]") {
  Project p("backup_copy_no_key");
  p.pipeline(migsafe::test::pipeline_body_with("dir = \"backups\"",
                                               "dir = \"backups\"\nencryption_key_env = \"MIGSAFE_TEST_KEY\"") +
             "[backup.copy]\ncommand = \"test -z \\\"$MIGSAFE_TEST_KEY\\\" && test -s \\\"$MIGSAFE_BACKUP_FILE\\\"\"\n"
             "on_error = \"fail\"\n");
  auto r = p.migsafe({"backup", "create", "{pipeline}", "--db", "{db}", "--json"}, kKey);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.json()["copy"]["status"] == "ok");
}

TEST_CASE("a restore drill runs the pipeline's verification tests in the scratch database", "[backup]") {
  Project p("backup_drill_tests");
  auto with_assert = [&](const std::string& sql) {
    p.pipeline(migsafe::test::default_pipeline_body() + "[[verify.assert]]\nname = \"rows survived\"\nsql = \"" + sql + "\"\n");
  };
  with_assert("select count(*) = 500 from public.t");
  p.query("create table public.t as select g as id from generate_series(1, 500) g");
  REQUIRE(p.migsafe({"backup", "create", "{pipeline}", "--db", "{db}"}).exit_code == 0);
  auto good = p.migsafe({"backup", "verify", "{pipeline}", "--db", "{db}", "--all", "--restore-drill", "--json"});
  INFO(good.err);
  CHECK(good.exit_code == 0);
  CHECK(good.json()["backups"][0]["restore_drill"]["ok"] == true);

  with_assert("select count(*) = 7 from public.t");
  auto bad = p.migsafe({"backup", "verify", "{pipeline}", "--db", "{db}", "--all", "--restore-drill", "--json"});
  CHECK(bad.exit_code == 4);
  CHECK(bad.json()["backups"][0]["restore_drill"]["ok"] == false);
  CHECK(bad.out.find("rows survived") != std::string::npos);
  CHECK(p.value("select count(*) from pg_database where datname like 'migsafe_drill_%'") == "0");
}
