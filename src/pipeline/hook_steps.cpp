#include "pipeline/hook_steps.hpp"

#include <fstream>

#include "core/error.hpp"
#include "pipeline/hooks.hpp"
#include "util/utf8.hpp"

namespace migsafe::pipeline {
namespace {

std::string describe(const HookResult& r) {
  std::string why = r.timed_out ? "timed out" : "exit " + std::to_string(r.exit_code);
  std::string tail = util::last_chars(r.output, 500);
  if (tail.size() < r.output.size()) tail = "..." + tail;
  while (!tail.empty() && tail.back() == '\n') tail.pop_back();
  return "the " + r.name + " hook failed (" + why + ")" + (tail.empty() ? "" : ":\n" + tail);
}

HookResult run_named(Context& context, const std::string& name, const std::string& command) {
  StepTimer step(context, "hook " + name);
  HookResult result = run_hook(name, command, context.pipeline.hooks.timeout,
                               hook_environment(context.report, context.options.report_file),
                               context.pipeline.dir.string());
  context.report.hooks.push_back(result.to_json());
  if (result.ok()) step.ok(command);
  else step.failed(describe(result));
  return result;
}

}  // namespace

void run_before_hook(Context& context) {
  const auto& command = context.pipeline.hooks.before;
  if (!command) return;
  HookResult result = run_named(context, "before", *command);
  if (!result.ok()) throw Error(Exit::refused, describe(result) + "\nnothing was changed");
}

void run_after_hook(Context& context) {
  const bool succeeded = context.report.exit_code == 0;
  const auto& command = succeeded ? context.pipeline.hooks.on_success : context.pipeline.hooks.on_failure;
  if (!command) return;
  if (!context.options.report_file.empty()) {
    std::ofstream(context.options.report_file, std::ios::trunc) << report::to_json(context.report).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  }
  HookResult result = run_named(context, succeeded ? "on_success" : "on_failure", *command);
  if (!result.ok()) context.report.warnings.push_back(describe(result));
}

}  // namespace migsafe::pipeline
