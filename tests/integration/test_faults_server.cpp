// Losing the connection, a full disk, and secrets in child processes.
#include <catch2/catch.hpp>

#include <fstream>
#include <future>
#include <sstream>
#include <thread>

#include "harness.hpp"

using migsafe::test::Project;
using migsafe::test::differences;

TEST_CASE("a migration session terminated by the server is reported, never a false success", "[faults]") {
  Project p("terminated_backend");
  p.pipeline();
  p.migration("20240101000000_base.sql", "create table public.t (id int);\n");
  REQUIRE(p.migsafe({"run", "{pipeline}", "--db", "{db}"}).exit_code == 0);
  const auto pre_run = p.snapshot();
  p.migration("20240102000000_slow.sql", "alter table public.t add column v int;\nselect pg_sleep(5);\n");

  auto run = std::async(std::launch::async, [&] { return p.migsafe({"run", "{pipeline}", "--db", "{db}", "--json"}); });
  REQUIRE(p.wait_for_query("pg_sleep(5)"));
  p.session()->query("select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() "
                     "and position('pg_sleep(5)' in query) > 0 and pid <> pg_backend_pid()");
  auto r = run.get();
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.json()["status"] == "failed_restored");
  CHECK(r.json()["restore"]["verified"] == true);
  CHECK(r.err.find("connection to the server lost") != std::string::npos);
  CHECK(differences(pre_run, p.snapshot()) == "");
  CHECK(p.value("select count(*) from supabase_migrations.schema_migrations") == "1");
}

TEST_CASE("a file-size limit during the backup refuses the run with no partial backup", "[faults]") {
  Project p("disk_full");
  p.pipeline();
  p.migration("20240101000000_base.sql", "create table public.t (id int, filler text);\n"
                                         "insert into public.t select g, md5(g::text) from generate_series(1, 20000) g;\n");
  REQUIRE(p.migsafe({"run", "{pipeline}", "--db", "{db}"}).exit_code == 0);
  p.migration("20240102000000_next.sql", "alter table public.t add column v int;\n");
  // 8 blocks of 512 bytes: the compressed dump of 20,000 md5 rows does not fit.
  auto r = p.migsafe({"run", "{pipeline}", "--db", "{db}", "--json"}, {}, "ulimit -f 8; ");
  INFO(r.err);
  CHECK(r.exit_code == 4);
  CHECK(r.err.find("File too large") != std::string::npos);
  CHECK(p.value("select count(*) from supabase_migrations.schema_migrations") == "1");
  size_t partial = 0, manifests = 0;
  for (auto& e : std::filesystem::directory_iterator(p.dir() / "backups")) {
    partial += e.path().string().find(".partial") != std::string::npos;
    manifests += e.path().extension() == ".json";
  }
  CHECK(partial == 0);
  CHECK(manifests == 1);
}

TEST_CASE("the password never reaches a child's command line", "[faults][secrets]") {
  Project p("argv_secrets");
  p.session()->exec("create role argv_owner login superuser password 'Sup3rSecretPw'");
  auto bin = p.dir() / "spy-bin";
  std::filesystem::create_directories(bin);
  for (const char* tool : {"pg_dump", "pg_restore", "psql"}) {
    std::ofstream(bin / tool) << "#!/bin/sh\necho \"" << tool << " $*\" >> " << (p.dir() / "argv.log").string()
                              << "\ncat /proc/$$/cmdline >> " << (p.dir() / "argv.log").string()
                              << "\nexec /usr/lib/postgresql/15/bin/" << tool << " \"$@\"\n";
    std::filesystem::permissions(bin / tool, std::filesystem::perms::owner_all);
  }
  std::string body = migsafe::test::pipeline_body_with("[database]", "[database]\npg_bin_dir = \"spy-bin\"");
  p.pipeline(body.replace(body.find("dir = \"migrations\""), 18, "dir = \"migrations\"\nmode = \"per-migration\""));
  p.migration("20240101000000_a.sql", "create table public.a (id int);\n");
  p.migration("20240102000000_b.sql", "select 1/0;\n");
  auto info = p.conninfo();
  const std::string url = "postgresql://argv_owner:Sup3rSecretPw@/" + info.get("dbname") + "?host=" + info.get("host") +
                          "&port=" + info.get("port");
  auto r = p.migsafe({"run", "{pipeline}", "--db", url});
  INFO(r.err);
  CHECK(r.exit_code == 1);  // per-migration failure: pg_dump, pg_restore and psql all ran
  const std::string log = migsafe::test::read_file(p.dir() / "argv.log");
  CHECK(log.find("pg_dump") != std::string::npos);
  CHECK(log.find("psql") != std::string::npos);
  CHECK(log.find("Sup3rSecretPw") == std::string::npos);
  p.session()->exec("drop owned by argv_owner; drop role argv_owner");
}

TEST_CASE("a server restart mid-migration is exit 1 or 3, never a false success", "[faults]") {
  Project p("server_restart");
  p.pipeline();
  p.migration("20240101000000_base.sql", "create table public.t (id int);\n");
  REQUIRE(p.migsafe({"run", "{pipeline}", "--db", "{db}"}).exit_code == 0);
  const auto pre_run = p.snapshot();
  p.migration("20240102000000_slow.sql", "alter table public.t add column v int;\nselect pg_sleep(10);\n");

  auto run = std::async(std::launch::async, [&] { return p.migsafe({"run", "{pipeline}", "--db", "{db}", "--json"}); });
  REQUIRE(p.wait_for_query("pg_sleep(10)"));
  migsafe::test::restart_server();  // pg_ctl -m fast stop, then start
  auto r = run.get();
  INFO(r.err);
  CHECK((r.exit_code == 1 || r.exit_code == 3));
  CHECK(r.json()["status"] != "succeeded");
  CHECK(r.err.find("connection to the server lost") != std::string::npos);
  CHECK(differences(pre_run, p.snapshot()) == "");
  CHECK(p.value("select count(*) from supabase_migrations.schema_migrations") == "1");
}
