// `migsafe drift`: the live owned schemas against the snapshot the last successful run (or restore,
// or accept) stored, object by object. Reads only, except `--accept`, which stores the live schemas
// as the new baseline.
#include <memory>

#include "cli/command.hpp"
#include "cli/publish.hpp"
#include "cli/target.hpp"
#include "config/pipeline.hpp"
#include "core/error.hpp"
#include "pg/schema_snapshots.hpp"
#include "pg/run_lock.hpp"
#include "pipeline/connect.hpp"
#include "pipeline/drift.hpp"
#include "pipeline/run.hpp"
#include "report/github.hpp"

namespace migsafe::cli {
namespace {

struct DriftFlags {
  std::string pipeline;
  TargetOptions target;
  std::string report_file;
  bool github = false;
  bool accept = false;
};

void accept_live(pipeline::Context& context, const pipeline::DriftCheck& check, const Console& console) {
  pipeline::take_run_lock(context);
  const std::string fingerprint = pg::store_live_snapshot(*context.control, pg::kSnapshotAccepted, context.report.run_id,
                                                          "", context.pipeline.database.schemas, true);
  pg::release_run_lock(*context.control);
  for (const auto& line : pipeline::drift_lines(check)) console.note("accepted: " + line);
  console.note("the live schemas are now the baseline (" + fingerprint.substr(0, 19) + "...)");
  context.report.status = report::RunStatus::no_drift;
  context.report.exit_code = 0;
}

void judge(pipeline::Context& context, const pipeline::DriftCheck& check) {
  auto& r = context.report;
  if (!check.baseline) {
    r.status = report::RunStatus::no_baseline;
    r.exit_code = int(Exit::usage);
    r.errors.push_back(pipeline::drift_lines(check).front());
    return;
  }
  for (const auto& line : pipeline::drift_lines(check)) r.warnings.push_back("drift: " + line);
  r.status = check.changes.empty() ? report::RunStatus::no_drift : report::RunStatus::drift;
  r.exit_code = check.changes.empty() ? 0 : int(Exit::refused);
}

int drift_command(const DriftFlags& flags, const Console& console) {
  config::Pipeline pipeline = config::load_pipeline(flags.pipeline);
  Target target = resolve_target(flags.target, &pipeline);
  PublishOptions publish;
  publish.github = report::github_actions_enabled(flags.github);
  publish.report_file = flags.report_file;
  if (publish.github) report::emit_mask(target.conninfo.password(), workflow_stream(console));
  if (target.cluster) migrate_throwaway(pipeline, target, console);
  pipeline::Context context(pipeline, target.conninfo);
  context.observer.on_step = [&console](const report::Step& s) { console.step(s); };
  context.report.command = "drift";
  context.report.pipeline = pipeline.name;
  context.report.pipeline_file = pipeline.file.string();
  context.report.run_id = pipeline::new_run_id();
  context.report.database_url = target.display;
  pipeline::connect(context, false);
  pipeline::DriftCheck check = pipeline::check_drift(*context.control, pipeline.database.schemas);
  context.report.drift = pipeline::drift_json(check);
  if (flags.accept) accept_live(context, check, console);
  else judge(context, check);
  if (check.baseline && check.changes.empty()) {
    console.note("no drift since the " + check.baseline->source + " snapshot of " + check.baseline->taken_at);
  }
  return publish_report(context.report, console, publish);
}

}  // namespace

void register_drift(CLI::App& app, Globals& globals) {
  auto flags = std::make_shared<DriftFlags>();
  CLI::App* cmd = app.add_subcommand(
      "drift",
      "Compare the live owned schemas with the snapshot of the last successful run, object by object; "
      "exit 0: none, 4: drift found, 2: no snapshot stored yet");
  cmd->add_option("PIPELINE", flags->pipeline, "Pipeline file (TOML)")->required();
  add_target_options(cmd, flags->target);
  cmd->add_option("--report", flags->report_file, "Write the JSON report to this file");
  cmd->add_flag("--github", flags->github,
                "GitHub Actions output: a ::warning per drifted object and the job summary "
                "(default when GITHUB_ACTIONS=true)");
  cmd->add_flag("--accept", flags->accept,
                "Store the live schemas as the new baseline (after a deliberate change made outside "
                "the migrations, or to start on a database migsafe never ran on)");
  cmd->callback([&globals, flags] {
    globals.action = [flags](const Console& console) { return drift_command(*flags, console); };
  });
}

}  // namespace migsafe::cli
