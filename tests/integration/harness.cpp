#include "harness.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>

#include "pg/ephemeral_cluster.hpp"
#include "pg/fingerprint.hpp"
#include "util/process.hpp"

namespace migsafe::test {
namespace {

std::unique_ptr<pg::EphemeralCluster>& cluster() {
  static std::unique_ptr<pg::EphemeralCluster> instance;
  return instance;
}

}  // namespace

void start_server() { cluster() = std::make_unique<pg::EphemeralCluster>(); }
void stop_server() { cluster().reset(); }
void restart_server() {
  cluster()->stop();
  cluster()->start();
}

pg::ConnInfo server(const std::string& dbname) { return cluster()->conninfo(dbname); }

nlohmann::json Outcome::json() const { return nlohmann::json::parse(out); }

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string default_pipeline_body() {
  return R"(version = 1
name = "test"
[database]
schemas = ["public"]
lock_wait = "2s"
[migrations]
dir = "migrations"
[backup]
dir = "backups"
)";
}

std::string pipeline_body_with(const std::string& anchor, const std::string& replacement) {
  std::string body = default_pipeline_body();
  size_t at = body.find(anchor);
  if (at == std::string::npos) throw std::runtime_error("no '" + anchor + "' in the default pipeline");
  return body.replace(at, anchor.size(), replacement);
}

Project::Project(const std::string& name, bool supabase_shim) : db_(name), dir_("migsafe-test-") {
  pg::Session admin(server("postgres"), "migsafe tests");
  admin.exec("DROP DATABASE IF EXISTS " + admin.quote_name(db_) + " WITH (FORCE)");
  admin.exec("CREATE DATABASE " + admin.quote_name(db_));
  std::filesystem::create_directories(dir() / "migrations");
  if (supabase_shim) {
    util::Command shim;
    shim.argv = {MIGSAFE_BINARY, "supabase-shim", "--db", db_arg(), "--quiet"};
    auto r = util::run_process(shim);
    if (!r.ok()) throw std::runtime_error("supabase-shim failed: " + r.stderr_text);
  }
}

Project::~Project() {
  try {
    pg::Session admin(server("postgres"), "migsafe tests");
    admin.exec("DROP DATABASE IF EXISTS " + admin.quote_name(db_) + " WITH (FORCE)");
  } catch (...) {
  }
}

std::unique_ptr<pg::Session> Project::session() const { return std::make_unique<pg::Session>(conninfo(), "migsafe tests"); }
pg::Rows Project::query(const std::string& sql) const { return session()->query(sql); }
std::string Project::value(const std::string& sql) const { return query(sql).scalar().value_or("<null>"); }

void Project::migration(const std::string& file, const std::string& sql) const {
  std::ofstream(dir() / "migrations" / file) << sql;
}

void Project::pipeline(const std::string& body) const {
  std::ofstream(pipeline_path()) << (body.empty() ? default_pipeline_body() : body);
}

Outcome Project::migsafe(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
                         const std::string& shell_prefix) const {
  util::Command c;
  if (!shell_prefix.empty()) c.argv = {"/bin/sh", "-c", shell_prefix + "exec \"$0\" \"$@\""};
  c.argv.push_back(MIGSAFE_BINARY);
  for (auto a : args) {
    if (a == "{pipeline}") a = pipeline_path().string();
    if (a == "{db}") a = db_arg();
    c.argv.push_back(a);
  }
  for (const auto& [k, v] : env) c.env.emplace_back(k, v);
  c.unset_env = {"DATABASE_URL", "PGHOST", "PGPORT", "PGDATABASE", "PGUSER", "PGSERVICE", "PGHOSTADDR",
                 "GITHUB_ACTIONS"};
  auto r = util::run_process(c);
  return Outcome{r.exit_code, r.stdout_text, r.stderr_text};
}

int Project::spawn_migsafe(const std::vector<std::string>& args) const {
  std::vector<std::string> argv = {MIGSAFE_BINARY};
  for (auto a : args) {
    if (a == "{pipeline}") a = pipeline_path().string();
    if (a == "{db}") a = db_arg();
    argv.push_back(a);
  }
  const std::string out = (dir() / "spawned.out").string();
  pid_t pid = fork();
  if (pid == 0) {
    int fd = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(fd, 1);
    dup2(fd, 2);
    std::vector<char*> raw;
    for (auto& a : argv) raw.push_back(a.data());
    raw.push_back(nullptr);
    execv(raw[0], raw.data());
    _exit(127);
  }
  return pid;
}

int Project::wait_migsafe(int pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

bool Project::wait_for_query(const std::string& text, int seconds) const {
  auto s = session();
  for (int i = 0; i < seconds * 10; ++i) {
    auto n = s->query("select count(*) from pg_stat_activity where datname = current_database() and "
                      "pid <> pg_backend_pid() and position($1 in query) > 0 and state = 'active'", {text});
    if (n.scalar() != "0") return true;
    usleep(100 * 1000);
  }
  return false;
}

std::string Project::fingerprint() const { return pg::take_fingerprint(*session(), {"public"}).hash; }

std::string Project::data_hash() const {
  auto s = session();
  auto tables = s->query(
      "select format('%I.%I', n.nspname, c.relname) from pg_class c join pg_namespace n on n.oid = c.relnamespace "
      "where c.relkind = 'r' and n.nspname = 'public' order by 1");
  std::string all;
  for (const auto& row : tables.rows) {
    all += *row[0] + "=" +
           s->query("select md5(coalesce(string_agg(t::text, E'\\n' order by t::text), '')) from " + *row[0] + " t")
               .scalar()
               .value_or("") +
           "\n";
  }
  return all;
}

}  // namespace migsafe::test
