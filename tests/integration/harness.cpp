#include "harness.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <sstream>

#include "pg/ephemeral_cluster.hpp"
#include "pg/tools.hpp"
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

namespace {

// pg_dump's output minus what differs between two dumps of the same database: the version header
// and the random key of psql's \restrict / \unrestrict lines.
std::string normalised_dump(const std::string& dump) {
  std::istringstream in(dump);
  std::string out;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("-- Dumped from", 0) == 0 || line.rfind("-- Dumped by", 0) == 0) continue;
    if (line.rfind("\\restrict ", 0) == 0 || line.rfind("\\unrestrict ", 0) == 0) continue;
    out += line + "\n";
  }
  return out;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// The lines only one side has, by a longest-common-subsequence walk (dumps are a few thousand lines).
std::string line_differences(const std::string& a, const std::string& b) {
  std::vector<std::string> x = lines_of(a), y = lines_of(b);
  size_t n = x.size(), m = y.size();
  std::vector<std::vector<unsigned>> lcs(n + 1, std::vector<unsigned>(m + 1, 0));
  for (size_t i = n; i-- > 0;) {
    for (size_t j = m; j-- > 0;) {
      lcs[i][j] = x[i] == y[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  std::string out;
  size_t i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && x[i] == y[j]) {
      ++i, ++j;
    } else if (j < m && (i == n || lcs[i][j + 1] >= lcs[i + 1][j])) {
      out += "schema + " + y[j++] + "\n";
    } else {
      out += "schema - " + x[i++] + "\n";
    }
  }
  return out;
}

}  // namespace

Snapshot Project::snapshot(const std::vector<std::string>& leave_out) const {
  Snapshot snap;
  util::Command dump;
  dump.argv = {pg::newest_server_bin_dir() + "/pg_dump", "--schema-only", "--no-password",
               "--dbname=" + db_arg()};
  for (const auto& schema : leave_out) dump.argv.push_back("--exclude-schema=" + schema);
  dump.env = conninfo().child_environment();
  auto r = util::run_process(dump);
  if (!r.ok()) throw std::runtime_error("pg_dump for the test snapshot failed: " + r.stderr_text);
  snap.schema = normalised_dump(r.stdout_text);

  auto s = session();
  auto tables = s->query(
      "select format('%I.%I', n.nspname, c.relname) from pg_class c join pg_namespace n on n.oid = c.relnamespace "
      "where c.relkind in ('r', 'm') and n.nspname not in ('pg_catalog', 'information_schema') "
      "and n.nspname not like 'pg\\_toast%' and n.nspname not like 'pg\\_temp%' "
      "and (n.nspname, c.relname) not in (('migsafe', 'runs'), ('migsafe', 'statements'), ('migsafe', 'schema_snapshots')) "
      "order by 1");
  for (const auto& row : tables.rows) {
    bool left_out = false;
    for (const auto& schema : leave_out) left_out = left_out || row[0]->rfind(schema + ".", 0) == 0;
    if (left_out) continue;
    snap.data[*row[0]] =
        s->query("select count(*) || ' rows, md5 ' || md5(coalesce(string_agg(t::text, E'\\n' order by t::text), '')) "
                 "from only " + *row[0] + " t")
            .scalar()
            .value_or("");
  }
  return snap;
}

std::string differences(const Snapshot& a, const Snapshot& b) {
  std::string out = a.schema == b.schema ? "" : line_differences(a.schema, b.schema);
  for (const auto& [table, hash] : a.data) {
    auto it = b.data.find(table);
    if (it == b.data.end()) out += "data - " + table + " (table gone)\n";
    else if (it->second != hash) out += "data ~ " + table + ": " + hash + " -> " + it->second + "\n";
  }
  for (const auto& [table, hash] : b.data) {
    if (!a.data.count(table)) out += "data + " + table + " (new table)\n";
  }
  return out;
}

}  // namespace migsafe::test
