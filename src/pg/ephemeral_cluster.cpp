#include "pg/ephemeral_cluster.hpp"

#include <pwd.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "core/error.hpp"
#include "pg/tools.hpp"
#include "util/process.hpp"

namespace migsafe::pg {
namespace {

// The server must not run as root; as root we hand everything to `postgres`.
std::string server_user() {
  if (geteuid() != 0) return "";
  if (getpwnam("postgres") == nullptr) {
    throw Error(Exit::usage, "--ephemeral as root needs a 'postgres' user to run the server (install postgresql-15)");
  }
  return "postgres";
}

std::string read_log(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Supabase preloads these; of them, the ones this server has installed are preloaded here too, so
// `create extension pg_cron` (which needs it, in the database named by cron.database_name) works.
std::string preload_options(const std::string& bin_dir) {
  const std::filesystem::path lib = std::filesystem::path(bin_dir).parent_path() / "lib";
  std::string libraries;
  for (const char* name : {"pg_stat_statements", "pgaudit", "plpgsql_check", "pg_cron"}) {
    std::error_code ec;
    if (!std::filesystem::exists(lib / (std::string(name) + ".so"), ec)) continue;
    libraries += (libraries.empty() ? "" : ",") + std::string(name);
  }
  if (libraries.empty()) return "";
  return " -c shared_preload_libraries=" + libraries + " -c cron.database_name=postgres";
}

int random_port() {
  std::random_device rd;
  return std::uniform_int_distribution<int>(20000, 60000)(rd);
}

}  // namespace

EphemeralCluster::EphemeralCluster()
    : dir_("migsafe-pg-"), bin_dir_(newest_server_bin_dir()), run_as_(server_user()), port_(random_port()) {
  if (!run_as_.empty()) dir_.give_to(run_as_);
  const std::string data = (dir_.path() / "data").string();
  const std::string log = (dir_.path() / "server.log").string();

  util::Command initdb;
  initdb.argv = {bin_dir_ + "/initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8",
                 "--locale=C", "--no-sync"};
  initdb.run_as = run_as_;
  initdb.unset_env = {"PGDATA", "PGHOST", "PGPORT", "PGUSER", "PGDATABASE", "PGPASSWORD"};
  auto result = util::run_process(initdb);
  if (!result.ok()) throw Error(Exit::usage, "initdb failed (" + result.describe() + "):\n" + result.stderr_text);
  start();
}

void EphemeralCluster::start() {
  if (running_) return;
  const std::string data = (dir_.path() / "data").string();
  const std::string log = (dir_.path() / "server.log").string();
  // Durability is pointless for a server that is deleted afterwards; speed is not.
  const std::string options = "-c listen_addresses='' -k " + dir_.path().string() + " -p " + std::to_string(port_) +
                              " -c fsync=off -c synchronous_commit=off -c full_page_writes=off" + preload_options(bin_dir_);
  util::Command start;
  start.argv = {bin_dir_ + "/pg_ctl", "-D", data, "-l", log, "-o", options, "-w", "-t", "60", "start"};
  start.run_as = run_as_;
  auto result = util::run_process(start);
  if (!result.ok()) throw Error(Exit::usage, "the throwaway PostgreSQL did not start:\n" + read_log(log));
  running_ = true;
}

EphemeralCluster::~EphemeralCluster() {
  try {
    stop();
  } catch (...) {
    // Destructors must not throw; the directory is removed regardless.
  }
}

void EphemeralCluster::stop() {
  if (!running_) return;
  running_ = false;
  util::Command command;
  command.argv = {bin_dir_ + "/pg_ctl", "-D", (dir_.path() / "data").string(), "-m", "fast", "-w", "stop"};
  command.run_as = run_as_;
  util::run_process(command);
}

ConnInfo EphemeralCluster::conninfo(const std::string& dbname) const {
  return ConnInfo::parse("host=" + quote_conninfo_value(socket_dir()) + " port=" + std::to_string(port_) +
                         " user=postgres dbname=" + quote_conninfo_value(dbname));
}

}  // namespace migsafe::pg
