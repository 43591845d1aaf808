// What every command file shares: global options, the action chosen by parsing, report output.
#pragma once

#include <functional>
#include <string>

#include <CLI/CLI.hpp>

#include "cli/console.hpp"
#include "config/pipeline.hpp"
#include "report/report.hpp"

namespace migsafe::cli {

// Options that every command takes, and the action the chosen command set up.
struct Globals {
  OutputOptions output;
  std::function<int(const Console&)> action;  // runs the command, returns the exit code
};

// Each adds its subcommand to `app`; its callback sets `globals.action`.
void register_run(CLI::App& app, Globals& globals);
void register_plan(CLI::App& app, Globals& globals);
void register_status(CLI::App& app, Globals& globals);
void register_validate(CLI::App& app, Globals& globals);
void register_new(CLI::App& app, Globals& globals);
void register_init(CLI::App& app, Globals& globals);
void register_supabase_shim(CLI::App& app, Globals& globals);
void register_test(CLI::App& app, Globals& globals);
void register_rls(CLI::App& app, Globals& globals);
void register_backup(CLI::App& app, Globals& globals);
void register_checklist(CLI::App& app, Globals& globals);
void register_drift(CLI::App& app, Globals& globals);

struct Target;
// A throwaway database (--ephemeral) starts empty: applies the pipeline's migrations (checks off,
// backup to a temporary directory), so a command that only reads has something to read.
void migrate_throwaway(const config::Pipeline& pipeline, const Target& target, const Console& console);

// Writes `report` to `report_file` (if given) and as JSON on stdout (with --json), prints the
// human summary, and returns report.exit_code.
int publish_report(const report::Report& report, const Console& console, const std::string& report_file);

}  // namespace migsafe::cli
