// Backups against a real, throwaway PostgreSQL (scripts/setup.sh installs it; none installed fails).
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "backup/archive.hpp"
#include "backup/dump.hpp"
#include "core/error.hpp"
#include "pg/ephemeral_cluster.hpp"
#include "pg/tools.hpp"
#include "util/process.hpp"
#include "util/temp_dir.hpp"

using namespace migsafe;
namespace fs = std::filesystem;

namespace {

std::string bin_dir() {
  static const std::string dir = pg::newest_server_bin_dir();
  return dir;
}

void psql(const pg::ConnInfo& target, const std::string& sql) {
  util::Command command;
  command.argv = {bin_dir() + "/psql",
                  "--no-psqlrc",
                  "-q",
                  "-v",
                  "ON_ERROR_STOP=1",
                  "--dbname=" + target.without_password(),
                  "-c",
                  sql};
  util::ProcessResult result = util::run_process(command);
  INFO(result.stderr_text);
  REQUIRE(result.ok());
}

// One server for the whole file, with a database `shop` holding some rows.
pg::EphemeralCluster* cluster() {
  static std::unique_ptr<pg::EphemeralCluster> instance;
  if (!instance) {
    ::signal(SIGPIPE, SIG_IGN);  // as the CLI does: pg_restore --list closes its stdin early
    auto started = std::make_unique<pg::EphemeralCluster>();
    psql(started->conninfo(), "CREATE DATABASE shop");
    psql(started->conninfo("shop"),
         "CREATE SCHEMA app; CREATE TABLE app.items(id int PRIMARY KEY, name text);"
         "INSERT INTO app.items SELECT i, 'item ' || i FROM generate_series(1, 50000) i;"
         "CREATE TABLE public.notes(body text); INSERT INTO public.notes VALUES ('hello');");
    instance = std::move(started);
  }
  return instance.get();
}

backup::DumpRequest request(const fs::path& dir, const std::string& id,
                            const std::string& compression = "zstd") {
  backup::DumpRequest r;
  r.target = cluster()->conninfo("shop");
  r.pg_dump_path = bin_dir() + "/pg_dump";
  r.pg_restore_path = bin_dir() + "/pg_restore";
  r.dir = dir;
  r.backup_id = id;
  r.compression = compression;
  r.schemas = {"app"};
  return r;
}

mode_t mode_of(const fs::path& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string sha256sum(const fs::path& file) {
  util::Command command;
  command.argv = {"sha256sum", file.string()};
  util::ProcessResult result = util::run_process(command);
  REQUIRE(result.ok());
  return "sha256:" + result.stdout_text.substr(0, 64);
}

void flip_byte(const fs::path& file, std::streamoff at) {
  std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(at);
  char c = 0;
  f.get(c);
  f.seekp(at);
  f.put(char(c ^ 0x55));
}

}  // namespace

TEST_CASE("dump_database writes a verified, owner-only, zstd archive pg_restore reads",
          "[dump][pg]") {
  util::TempDir tmp("migsafe-test-");
  const fs::path dir = tmp.path() / "backups";
  backup::DumpResult result = backup::dump_database(request(dir, "b1"));

  CHECK(mode_of(dir) == 0700);
  CHECK(result.data_file == dir / "b1.dump.zst");
  CHECK(result.schema_file == dir / "b1.schema.sql");
  CHECK(mode_of(result.data_file) == 0600);
  CHECK(mode_of(result.schema_file) == 0600);
  CHECK(result.bytes == fs::file_size(result.data_file));
  CHECK(result.checksum == sha256sum(result.data_file));
  CHECK_FALSE(fs::exists(dir / "b1.dump.zst.partial"));

  util::Command unzstd, list;
  unzstd.argv = {"zstd", "-dc", result.data_file.string()};
  list.argv = {bin_dir() + "/pg_restore", "--list"};
  auto stages = util::run_pipeline({unzstd, list});
  INFO(stages[1].stderr_text);
  CHECK(stages[1].ok());
  CHECK((stages[0].ok() || stages[0].term_signal == SIGPIPE));  // pg_restore stops after the TOC
  CHECK_THAT(stages[1].stdout_text, Catch::Contains("TABLE DATA app items"));
  CHECK_THAT(backup::list_archive(result.data_file, "zstd", bin_dir() + "/pg_restore"),
             Catch::Contains("TABLE DATA app items"));

  const std::string schema = slurp(result.schema_file);
  CHECK_THAT(schema, Catch::Contains("CREATE TABLE app.items"));
  CHECK_THAT(schema, !Catch::Contains("public.notes"));
  CHECK_NOTHROW(
      backup::verify_archive(result.data_file, result.checksum, "zstd", bin_dir() + "/pg_restore"));

  // Same schema, same snapshot: the file can be diffed and fingerprinted.
  backup::DumpResult again = backup::dump_database(request(dir, "b2"));
  CHECK(slurp(again.schema_file) == schema);
}

TEST_CASE("a dump restores into a new database through open_archive_stream", "[dump][pg]") {
  util::TempDir tmp("migsafe-test-");
  backup::DumpResult result = backup::dump_database(request(tmp.path(), "r1"));
  psql(cluster()->conninfo(), "CREATE DATABASE shop_copy");
  util::Command restore;
  restore.argv = {bin_dir() + "/pg_restore", "--exit-on-error", "--no-owner",
                  "--dbname=" + cluster()->conninfo("shop_copy").without_password()};
  restore.stdin_source = backup::open_archive_stream(result.data_file, "zstd");
  util::ProcessResult restored = util::run_process(restore);
  INFO(restored.stderr_text);
  REQUIRE(restored.ok());
  util::Command count;
  count.argv = {bin_dir() + "/psql",
                "--no-psqlrc",
                "-At",
                "--dbname=" + cluster()->conninfo("shop_copy").without_password(),
                "-c",
                "SELECT count(*) FROM app.items"};
  CHECK(util::run_process(count).stdout_text == "50000\n");
}

TEST_CASE("an uncompressed dump is a custom-format archive pg_restore reads as is", "[dump][pg]") {
  util::TempDir tmp("migsafe-test-");
  backup::DumpResult result = backup::dump_database(request(tmp.path(), "n1", "none"));
  CHECK(result.data_file == tmp.path() / "n1.dump");
  util::Command list;
  list.argv = {bin_dir() + "/pg_restore", "--list", result.data_file.string()};
  CHECK(util::run_process(list).ok());
  CHECK(result.checksum == sha256sum(result.data_file));
}

TEST_CASE("verify_archive rejects a corrupted or truncated archive", "[dump][pg]") {
  util::TempDir tmp("migsafe-test-");
  const std::string pg_restore = bin_dir() + "/pg_restore";
  backup::DumpResult result = backup::dump_database(request(tmp.path(), "c1"));
  const fs::path file = result.data_file;

  flip_byte(file, std::streamoff(result.bytes / 2));
  CHECK_THROWS_WITH(backup::verify_archive(file, result.checksum, "zstd", pg_restore),
                    Catch::Contains(file.string()) && Catch::Contains("checksum mismatch"));
  try {
    backup::verify_archive(file, result.checksum, "zstd", pg_restore);
  } catch (const Error& e) {
    CHECK(e.code() == Exit::refused);
  }
  flip_byte(file, std::streamoff(result.bytes / 2));  // back as it was
  CHECK_NOTHROW(backup::verify_archive(file, result.checksum, "zstd", pg_restore));

  fs::resize_file(file, result.bytes - 10);
  CHECK_THROWS_WITH(backup::verify_archive(file, result.checksum, "zstd", pg_restore),
                    Catch::Contains("checksum mismatch") && Catch::Contains("truncated"));
  CHECK_THROWS_WITH(
      backup::verify_archive(tmp.path() / "gone.dump", result.checksum, "none", pg_restore),
      Catch::Contains("gone.dump"));
}

TEST_CASE("verify_archive catches a file pg_restore cannot read even with a matching checksum",
          "[dump][pg]") {
  util::TempDir tmp("migsafe-test-");
  const fs::path file = tmp.path() / "junk.dump";
  std::ofstream(file) << "not an archive";
  CHECK_THROWS_WITH(
      backup::verify_archive(file, sha256sum(file), "none", bin_dir() + "/pg_restore"),
      Catch::Contains("junk.dump") && Catch::Contains("pg_restore"));
}

TEST_CASE("a failing dump throws Exit::refused and leaves no file", "[dump][pg]") {
  util::TempDir tmp("migsafe-test-");
  auto refused_with = [&](const backup::DumpRequest& r, const std::string& text) {
    try {
      backup::dump_database(r);
      FAIL("no error");
    } catch (const Error& e) {
      CHECK(e.code() == Exit::refused);
      CHECK_THAT(e.what(), Catch::Contains(text));
    }
    CHECK(fs::is_empty(tmp.path()));
  };

  backup::DumpRequest r = request(tmp.path(), "f1");
  r.pg_dump_path = "/nonexistent/pg_dump";
  refused_with(r, "/nonexistent/pg_dump");

  r = request(tmp.path(), "f2");
  r.target = cluster()->conninfo("no_such_db");
  refused_with(r, "\"no_such_db\" does not exist");  // pg_dump's own stderr

  // A file size limit stands in for a full disk: the write fails half-way through.
  struct rlimit old_limit {};
  REQUIRE(::getrlimit(RLIMIT_FSIZE, &old_limit) == 0);
  auto old_handler = ::signal(SIGXFSZ, SIG_IGN);
  struct rlimit small = old_limit;
  small.rlim_cur = 20000;
  REQUIRE(::setrlimit(RLIMIT_FSIZE, &small) == 0);
  refused_with(request(tmp.path(), "f3"), "File too large");
  ::setrlimit(RLIMIT_FSIZE, &old_limit);
  ::signal(SIGXFSZ, old_handler);
}

TEST_CASE("dump_database does not replace an existing backup", "[dump][pg]") {
  util::TempDir tmp("migsafe-test-");
  std::ofstream(tmp.path() / "x.dump.zst") << "precious";
  CHECK_THROWS_WITH(backup::dump_database(request(tmp.path(), "x")),
                    Catch::Contains("already exists"));
  CHECK(slurp(tmp.path() / "x.dump.zst") == "precious");
}

TEST_CASE("schemas that do not exist yet give an empty snapshot, not a failed backup",
          "[dump][pg]") {
  util::TempDir tmp("migsafe-test-");
  backup::DumpRequest r = request(tmp.path(), "e1");
  r.schemas = {"created_by_first_migration"};
  backup::DumpResult result = backup::dump_database(r);
  CHECK_THAT(slurp(result.schema_file), Catch::Contains("none of the requested schemas exist"));
}
