#include "pipeline/connect.hpp"

#include <unistd.h>

#include "core/error.hpp"
#include "pg/run_lock.hpp"
#include "util/duration.hpp"
#include "util/utf8.hpp"

namespace migsafe::pipeline {
namespace {

std::string describe_target(const pg::ConnInfo& target) {
  std::string host = target.get("host");
  std::string port = target.get("port");
  std::string db = target.get("dbname");
  if (host.empty()) host = getenv("PGHOST") ? getenv("PGHOST") : "localhost (default)";
  if (port.empty()) port = getenv("PGPORT") ? getenv("PGPORT") : "5432";
  return "host " + host + ", port " + port + (db.empty() ? "" : ", database " + db);
}

std::string hostname() {
  char buffer[256] = {0};
  gethostname(buffer, sizeof buffer - 1);
  return buffer;
}

// Transaction-mode poolers (PgBouncer, Supabase's Supavisor on port 6543) hand each transaction to
// any server connection: a session-level advisory lock, SET and a multi-statement history check
// are then meaningless. The common cases are recognisable from the target itself.
std::string pooler_reason(const pg::ConnInfo& target) {
  const std::string port = target.get("port");
  const std::string host = target.get("host");
  if (port == "6543") {
    return "port 6543 is Supabase's transaction-mode pooler" +
           std::string(host.find("pooler.supabase.com") != std::string::npos ? " (" + host + ")" : "");
  }
  if (target.get("options").find("pgbouncer") != std::string::npos || target.get("pgbouncer") == "true") {
    return "the connection string names PgBouncer";
  }
  return "";
}

}  // namespace

std::unique_ptr<pg::Session> open_session(const pg::ConnInfo& target, const std::string& application_name) {
  try {
    return std::make_unique<pg::Session>(target, application_name);
  } catch (const pg::ConnectError& e) {
    throw Error(Exit::refused, "cannot connect to the database (" + describe_target(target) + "): " + e.what());
  }
}

void connect(Context& context, bool with_work) {
  StepTimer step(context, "connect");
  if (std::string reason = pooler_reason(context.target); !reason.empty()) {
    const std::string message = reason + ": advisory locks and session settings are unreliable through a "
                                "transaction-mode pooler. Use the direct connection (port 5432) or a session-mode pooler";
    if (context.report.command == "run") throw Error(Exit::refused, message);
    context.report.warnings.push_back(message);
  }
  const std::string app = "migsafe " + context.report.command + " " + context.report.run_id + " on " + hostname();
  context.control = open_session(context.target, std::string(util::truncate_bytes(app, 63)));
  if (with_work) context.work = open_session(context.target, std::string(util::truncate_bytes("migsafe migrate " + context.report.run_id, 63)));
  context.report.server_version = context.control->server_version();
  step.ok(context.control->database() + " on PostgreSQL " + context.report.server_version);
}

void take_run_lock(Context& context) {
  StepTimer step(context, "lock");
  auto wait = context.pipeline.database.lock_wait;
  auto holder = pg::acquire_run_lock(*context.control, wait);
  if (holder) {
    throw Error(Exit::refused, "another migsafe run holds the lock on this database (waited " +
                                   util::format_duration(wait) + "): " + holder->describe());
  }
  step.ok("advisory lock taken");
}

}  // namespace migsafe::pipeline
