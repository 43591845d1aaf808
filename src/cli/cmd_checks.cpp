// `migsafe test` and `migsafe rls`: the verification and RLS checks alone, each in a transaction
// that is rolled back; they change nothing.
#include <memory>

#include "cli/command.hpp"
#include "cli/target.hpp"
#include "config/pipeline.hpp"
#include "pipeline/checks_step.hpp"
#include "pipeline/connect.hpp"
#include "pipeline/run.hpp"
#include "core/error.hpp"
#include "util/temp_dir.hpp"

namespace migsafe::cli {
namespace {

struct CheckFlags {
  std::string pipeline;
  TargetOptions target;
  std::string report_file;
};

int checks_command(const CheckFlags& flags, const Console& console, const std::string& command) {
  config::Pipeline pipeline = config::load_pipeline(flags.pipeline);
  Target target = resolve_target(flags.target, &pipeline);
  if (target.cluster) migrate_throwaway(pipeline, target, console);
  pipeline::Context context(pipeline, target.conninfo);
  context.observer.on_step = [&console](const report::Step& s) { console.step(s); };
  context.report.command = command;
  context.options.throwaway_target = target.cluster != nullptr;
  context.report.pipeline = pipeline.name;
  context.report.pipeline_file = pipeline.file.string();
  context.report.run_id = pipeline::new_run_id();
  context.report.database_url = target.display;
  pipeline::connect(context, true);
  pipeline::ChecksOutcome outcome =
      command == "test" ? pipeline::run_verify(context, false, false) : pipeline::run_rls(context, false);
  for (const auto& line : outcome.failures) context.report.errors.push_back(line);
  context.report.status = outcome.ok ? report::RunStatus::succeeded : report::RunStatus::failed;
  context.report.exit_code = outcome.ok ? 0 : 1;
  return publish_report(context.report, console, flags.report_file);
}

void register_checks(CLI::App& app, Globals& globals, const std::string& name, const std::string& help) {
  auto flags = std::make_shared<CheckFlags>();
  CLI::App* cmd = app.add_subcommand(name, help);
  cmd->add_option("PIPELINE", flags->pipeline, "Pipeline file (TOML)")->required();
  add_target_options(cmd, flags->target);
  cmd->add_option("--report", flags->report_file, "Write the JSON report to this file");
  cmd->callback([&globals, flags, name] {
    globals.action = [flags, name](const Console& console) { return checks_command(*flags, console, name); };
  });
}

}  // namespace

void migrate_throwaway(const config::Pipeline& pipeline, const Target& target, const Console& console) {
  config::Pipeline setup = pipeline;
  util::TempDir scratch("migsafe-setup-");
  setup.backup.dir = scratch.path() / "backups";
  setup.verify = {};
  setup.rls.enabled = false;
  pipeline::Context context(setup, target.conninfo);
  context.report.command = "run";
  context.report.run_id = pipeline::new_run_id();
  pipeline::run(context);
  if (context.report.exit_code != 0) throw Error(Exit(context.report.exit_code), "the migrations failed on the throwaway database");
  console.note("applied " + std::to_string(context.report.migrations.size()) + " migrations to the throwaway database");
}

void register_test(CLI::App& app, Globals& globals) {
  register_checks(app, globals, "test", "Run the verification tests (pgTAP files, assertions) alone; changes nothing");
}

void register_rls(CLI::App& app, Globals& globals) {
  register_checks(app, globals, "rls", "Run the RLS lints, cases and default-deny check alone; changes nothing");
}

}  // namespace migsafe::cli
