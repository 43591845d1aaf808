// `migsafe run PIPELINE [TARGET]`: snapshot, backup, migrate, and on failure return to the pre-run state.
#include <memory>
#include <optional>

#include "cli/analyze.hpp"
#include "cli/command.hpp"
#include "cli/cmd_backup.hpp"
#include "cli/publish.hpp"
#include "report/github.hpp"
#include "cli/target.hpp"
#include "config/pipeline.hpp"
#include "core/error.hpp"
#include "pipeline/run.hpp"
#include "util/progress.hpp"
#include "util/temp_dir.hpp"

namespace migsafe::cli {
namespace {

struct RunFlags {
  std::string pipeline;
  TargetOptions target;
  std::string report_file;
  std::string to_version;
  bool allow_changed = false;
  bool resume = false;
  bool dry_run = false;
  bool no_backup = false;
  std::string checklist_file;
  bool github = false;
  std::string test_fault;  // hidden: tests only
};

PublishOptions publish_options(const RunFlags& flags) {
  PublishOptions options;
  options.checklist_file = flags.checklist_file;
  options.github = report::github_actions_enabled(flags.github);
  options.report_file = flags.report_file;
  return options;
}

pipeline::Observer observer_for(const Console& console) {
  return pipeline::Observer{[&console](const report::Step& s) { console.step(s); },
                            [&console](const std::string& line) { console.detail(line); }};
}

// "file:line  12 ms  public.t AccessExclusiveLock, ...; rewrote ...", per measured statement, and the findings.
void print_impact(const report::Report& report, const Console& console) {
  const auto& impact = report.impact;
  if (!impact.contains("statements")) {
    console.note("impact: no statement measured");
    return;
  }
  for (const auto& s : impact["statements"]) {
    std::string locks;
    for (const auto& l : s["locks"]) {
      locks += (locks.empty() ? "" : ", ") + l.value("relation", "") + " " + l.value("mode", "");
    }
    std::string line = s.value("file", "") + ":" + std::to_string(s.value("line", 0)) + "  " +
                       std::to_string(s.value("duration_ms", 0LL)) + " ms  " +
                       (s.value("measured_with_next", false) ? "measured with the next statement"
                        : locks.empty()                      ? "no locks"
                                                             : locks);
    if (!s["rewrites"].empty()) line += "; rewrote " + s["rewrites"].dump();
    console.note("  " + line);
  }
  for (const auto& h : impact.value("exclusive_locks", nlohmann::json::array())) {
    console.note("  held ACCESS EXCLUSIVE on " + h.value("relation", "") + " for " +
                 std::to_string(h.value("held_ms", 0LL)) + " ms (taken at " + h.value("file", "") + ":" +
                 std::to_string(h.value("line", 0)) + ")");
  }
  for (const auto& f : impact.value("findings", nlohmann::json::array())) {
    console.note(f.value("level", "") + " " + f.value("rule", "") + " at " + f.value("file", "") + ":" +
                 std::to_string(f.value("line", 0)) + ": " + f.value("message", ""));
  }
}

// One line per lock wait of the run (`impact.lock_waits`): where, who blocked it, what migsafe did.
// --verbose shows them as they happen too.
void print_lock_waits(const report::Report& report, const Console& console) {
  if (!report.impact.is_object()) return;
  for (const auto& w : report.impact.value("lock_waits", nlohmann::json::array())) {
    std::string who;
    for (const auto& b : w.value("blockers", nlohmann::json::array())) {
      who += (who.empty() ? "" : "; ") + std::string("pid ") + std::to_string(b.value("pid", 0)) + " \"" +
             b.value("application_name", "") + "\" (" + b.value("state", "") + "): " + b.value("query", "");
    }
    console.note("lock_timeout at " + w.value("file", "") + ":" + std::to_string(w.value("line", 0)) + " (try " +
                 std::to_string(w.value("try", 0)) + "), blocked by " + (who.empty() ? "a session already gone" : who) +
                 (w.value("retried", false) ? "; rolled back " + w.value("rolled_back", "") + ", retried after " +
                                                  std::to_string(w.value("backoff_ms", 0LL)) + " ms"
                                            : "; not retried"));
  }
}

int run_command(const RunFlags& flags, const Console& console, const std::string& command = "run") {
  config::Pipeline pipeline = config::load_pipeline(flags.pipeline);
  if (flags.no_backup && !flags.dry_run) throw usage_error("--no-backup is only for --dry-run: a real run always takes a backup");
  // A dry run's backup goes to a temporary directory that is removed afterwards.
  std::optional<util::TempDir> scratch;
  if (flags.dry_run) pipeline.backup.dir = scratch.emplace("migsafe-dry-run-").path() / "backups";
  Target target = resolve_target(flags.target, &pipeline);
  const PublishOptions publish = publish_options(flags);
  if (publish.github) {  // before anything else is printed, so the runner hides it everywhere
    report::emit_mask(target.conninfo.password(), workflow_stream(console));
    mask_remote_secrets(pipeline, console, true);
  }
  console.note("migsafe " + command + " " + pipeline.name + " on " + target.display);
  pipeline::Context context(pipeline, target.conninfo);
  context.observer = observer_for(console);
  context.options.allow_changed = flags.allow_changed;
  context.options.resume = flags.resume;
  context.options.progress = util::progress_on_terminal();
  context.options.to_version = flags.to_version;
  context.options.report_file = flags.report_file;
  context.options.dry_run = flags.dry_run;
  context.options.no_backup = flags.no_backup;
  context.options.throwaway_target = target.cluster != nullptr;
  context.options.test_fault = pipeline::parse_test_fault(flags.test_fault);
  context.report.dry_run = flags.dry_run;
  context.report.command = command;
  context.report.pipeline = pipeline.name;
  context.report.pipeline_file = pipeline.file.string();
  context.report.run_id = pipeline::new_run_id();
  context.report.database_url = target.display;
  try {
    pipeline::run(context);
  } catch (...) {
    // Before the run lock (load, connect, lock) nothing was changed: the report says why, then
    // the exit code. Past the lock, pipeline::run settles every way out itself.
    Error e = as_error(std::current_exception(), Exit::refused);
    context.report.errors.push_back(e.what());
    if (context.report.status == report::RunStatus::unset) context.report.status = report::RunStatus::refused;
    context.report.exit_code = int(e.code());
  }
  print_lock_waits(context.report, console);
  if (command == "plan") print_impact(context.report, console);
  return publish_report(context.report, console, publish);
}

}  // namespace

int analyze_plan(const std::string& pipeline, const TargetOptions& target, const std::string& report_file,
                 const Console& console) {
  RunFlags flags;
  flags.pipeline = pipeline;
  flags.target = target;
  flags.report_file = report_file;
  flags.dry_run = true;
  flags.no_backup = true;
  return run_command(flags, console, "plan");
}

void register_run(CLI::App& app, Globals& globals) {
  auto flags = std::make_shared<RunFlags>();
  CLI::App* cmd = app.add_subcommand("run", "Snapshot, back up, apply pending migrations; on failure return to the pre-run state");
  cmd->add_option("PIPELINE", flags->pipeline, "Pipeline file (TOML)")->required();
  add_target_options(cmd, flags->target);
  cmd->add_option("--report", flags->report_file, "Write the JSON report to this file");
  cmd->add_option("--to", flags->to_version, "Apply pending migrations up to and including this version");
  cmd->add_flag("--dry-run", flags->dry_run,
                "Run everything in one transaction and roll it back, even on success; backup to a temporary directory");
  cmd->add_flag("--no-backup", flags->no_backup, "With --dry-run: skip the backup (reported as skipped)");
  cmd->add_option("--checklist", flags->checklist_file, "Write a Markdown release checklist with evidence to this file");
  cmd->add_flag("--github", flags->github,
                "GitHub Actions output: annotations, job summary, step outputs (default when GITHUB_ACTIONS=true)");
  cmd->add_flag("--resume", flags->resume,
                "Go on although an interrupted run left the database partly migrated: after the last statement it committed");
  // The fault hook of the tests (docs/reliability.md): not in --help, never for real runs.
  cmd->add_option("--test-fault", flags->test_fault,
                  "TESTS ONLY: fail at WHERE[:throw|error|query|term|kill] to prove the run settles")
      ->group("");
  cmd->add_flag("--allow-changed", flags->allow_changed,
                "Run although applied migrations were edited or deleted, or pending ones are older than applied ones");
  cmd->callback([&globals, flags] {
    globals.action = [flags](const Console& console) { return run_command(*flags, console); };
  });
}

}  // namespace migsafe::cli
