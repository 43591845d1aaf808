#include "pipeline/connect.hpp"

#include <unistd.h>

#include "core/error.hpp"
#include "pg/run_lock.hpp"
#include "util/duration.hpp"

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
  const std::string app = "migsafe " + context.report.command + " " + context.report.run_id + " on " + hostname();
  context.control = open_session(context.target, app.substr(0, 63));
  if (with_work) context.work = open_session(context.target, ("migsafe migrate " + context.report.run_id).substr(0, 63));
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
