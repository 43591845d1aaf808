// Every way out of `run` ends here, so the report, the ledger, the hooks and the lock are settled
// the same way after a failed migration, a bug, a signal or a server that went away.
#include "pipeline/settle.hpp"

#include "core/error.hpp"
#include "pg/history.hpp"
#include "pg/run_lock.hpp"
#include "pipeline/connect.hpp"
#include "pipeline/hook_steps.hpp"
#include "pipeline/recover.hpp"

namespace migsafe::pipeline {
namespace {

bool committed_something(const Context& context) {
  return context.report.mode == report::Mode::per_migration || !context.applied_this_run.empty();
}

void settle_before_change(Context& context, const Error& e, bool interrupted) {
  context.report.status = report::RunStatus::refused;
  Exit code = e.code() == Exit::usage ? Exit::usage : Exit::refused;
  if (interrupted) code = Exit::interrupted;
  context.report.exit_code = int(code);
}

void settle_after_change(Context& context, const Error& e, bool interrupted) {
  MigrateOutcome outcome;
  outcome.ok = false;
  outcome.failure = e.what();
  outcome.committed_any = committed_something(context);
  recover(context, outcome);
  if (interrupted && context.report.exit_code == int(Exit::failed_restored)) {
    context.report.exit_code = int(Exit::interrupted);
  }
}

// The ledger row and the lock, on the control session (a new one when it died with the server:
// its lock went with it).
void settle_ledger(Context& context) {
  if (!context.control || !context.control->alive()) {
    if (!context.ledger_started) return;
    context.control = open_session(context.target, "migsafe ledger " + context.report.run_id);
  }
  if (context.ledger_started) {
    const std::string status = to_string(context.report.status);
    try {
      pg::record_run_end(*context.control, context.report.run_id, status, context.report.to_version,
                         report::to_json(context.report).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    } catch (const Error& e) {  // the report would not go in (say, jsonb refuses \u0000): the status must
      pg::mark_run(*context.control, context.report.run_id, status);
      context.report.warnings.push_back(std::string("the ledger holds the run's status, not its report: ") + e.what());
    }
  }
  pg::release_run_lock(*context.control);
}

}  // namespace

void settle_exception(Context& context, Stage stage, const std::exception_ptr& thrown) {
  const Error e = as_error(thrown, stage == Stage::prepare ? Exit::refused : Exit::failed_unrestored);
  const bool interrupted = e.code() == Exit::interrupted || util::interrupted_by() != 0;
  if (stage == Stage::done) {
    context.report.warnings.push_back(std::string("after the run succeeded: ") + e.what());
    return;
  }
  context.report.errors.push_back(e.what());
  if (stage == Stage::prepare) settle_before_change(context, e, interrupted);
  else settle_after_change(context, e, interrupted);
}

void finish_run(Context& context, bool with_hook) {
  if (with_hook) {
    try {
      run_after_hook(context);
    } catch (const std::exception& e) {
      context.report.warnings.push_back(std::string("the after-run hook could not run: ") + e.what());
    }
  }
  try {
    settle_ledger(context);
  } catch (const std::exception& e) {
    context.report.warnings.push_back("the ledger row of run " + context.report.run_id +
                                      " could not be written (the next run marks it interrupted): " + e.what());
  }
}

}  // namespace migsafe::pipeline
