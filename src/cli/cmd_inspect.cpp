// `migsafe plan` and `migsafe status`: read the files and the history; change nothing.
#include <memory>

#include "cli/analyze.hpp"
#include "cli/command.hpp"
#include "cli/target.hpp"
#include "config/pipeline.hpp"
#include "core/error.hpp"
#include "pipeline/drift.hpp"
#include "pipeline/run.hpp"
#include "util/strings.hpp"

namespace migsafe::cli {
namespace {

struct InspectFlags {
  std::string pipeline;
  TargetOptions target;
  std::string report_file;
  bool analyze = false;  // plan --analyze
};

void fill_applied(pipeline::Context& context) {
  std::vector<report::Migration> listed;
  for (const auto* f : context.state.applied) listed.push_back(pipeline::migration_record(*f, report::MigrationStatus::applied));
  for (auto& m : context.report.migrations) listed.push_back(m);
  context.report.migrations = listed;
}

void print_plan(const pipeline::Context& context, const Console& console) {
  const auto& r = context.report;
  if (context.state.pending.empty()) console.note("nothing to apply: the database is at version " + r.from_version);
  else console.note("would apply " + std::to_string(context.state.pending.size()) + " migration(s), " + r.from_version +
                    " -> " + r.to_version + ", mode " + to_string(r.mode) + (r.mode_reason.empty() ? "" : " (" + r.mode_reason + ")"));
  console.note("lock_timeout " + r.lock_timeout + ", statement_timeout " + r.statement_timeout);
  for (const auto& m : r.migrations) {
    console.note("  " + m.version + "_" + m.name);
    for (const auto& n : m.non_transactional) console.note("      cannot run in a transaction: " + n);
    if (!m.commit_after.empty()) console.note("      commit point: the run commits after this migration: " + m.commit_after);
  }
}

void print_status(const pipeline::Context& context, const Console& console) {
  for (const auto* f : context.state.applied) console.note("applied  " + f->version + "_" + f->name);
  for (const auto* f : context.state.pending) console.note("pending  " + f->version + "_" + f->name);
  for (const auto& p : context.state.problems) console.note(p.kind + "  " + p.message);
  for (const auto& run : context.interrupted) {
    console.note("interrupted run " + run.run_id + " (started " + run.started_at + " on " + run.host + "), committed [" +
                 util::join(run.applied) +
                 "] of the migrations up to " + run.to_version + "; its pre-run backup is " +
                 (run.backup_id.empty() ? "none" : run.backup_id) +
                 (run.partly_applied() ? "; partly applied (" + (run.restoring ? std::string("restore under way") : util::join(run.partial)) +
                                             "): the next run refuses and says how to go back or on"
                                       : "; at a migration boundary: the next run goes on from there"));
  }
  console.note("database version " + context.state.current_version);
}

int inspect_command(const InspectFlags& flags, const Console& console, const std::string& command) {
  if (flags.analyze) return analyze_plan(flags.pipeline, flags.target, flags.report_file, console);
  config::Pipeline pipeline = config::load_pipeline(flags.pipeline);
  Target target = resolve_target(flags.target, &pipeline);
  pipeline::Context context(pipeline, target.conninfo);
  context.report.command = command;
  context.report.pipeline = pipeline.name;
  context.report.pipeline_file = pipeline.file.string();
  context.report.database_url = target.display;
  pipeline::inspect(context);
  try {
    pipeline::note_drift(context);
  } catch (const std::exception& e) {
    context.report.warnings.push_back(std::string("drift could not be checked: ") + e.what());
  }
  for (const auto& p : context.state.problems) context.report.warnings.push_back(p.kind + ": " + p.message);
  for (const auto& run : context.interrupted) {
    context.report.warnings.push_back("interrupted run " + run.run_id + " (backup " + run.backup_id + ")");
  }
  context.report.status = context.state.pending.empty() ? report::RunStatus::nothing_to_do : report::RunStatus::pending;
  if (command == "plan") print_plan(context, console);
  else {
    print_status(context, console);
    fill_applied(context);
  }
  return publish_report(context.report, console, flags.report_file);
}

void register_inspect(CLI::App& app, Globals& globals, const std::string& name, const std::string& help) {
  auto flags = std::make_shared<InspectFlags>();
  CLI::App* cmd = app.add_subcommand(name, help);
  cmd->add_option("PIPELINE", flags->pipeline, "Pipeline file (TOML)")->required();
  add_target_options(cmd, flags->target);
  cmd->add_option("--report", flags->report_file, "Write the JSON report to this file");
  if (name == "plan") {
    cmd->add_flag("--analyze", flags->analyze,
                  "Apply the pending migrations in a transaction that is rolled back and print what each statement "
                  "locked and rewrote; changes nothing");
  }
  cmd->callback([&globals, flags, name] {
    globals.action = [flags, name](const Console& console) { return inspect_command(*flags, console, name); };
  });
}

}  // namespace

void register_plan(CLI::App& app, Globals& globals) {
  register_inspect(app, globals, "plan", "Show what `run` would do; changes nothing");
}

void register_status(CLI::App& app, Globals& globals) {
  register_inspect(app, globals, "status", "List applied, pending, changed and missing migrations; changes nothing");
}

}  // namespace migsafe::cli
