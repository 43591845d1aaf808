// `migsafe checklist --from REPORT.json [--output FILE]`: the release checklist of a past run,
// rendered from its JSON report (what `run --checklist` writes at the end of the run).
#include <fstream>
#include <memory>
#include <sstream>

#include "cli/command.hpp"
#include "core/error.hpp"
#include "report/checklist.hpp"
#include "util/atomic_file.hpp"

namespace migsafe::cli {
namespace {

struct ChecklistFlags {
  std::string from;    // the report file
  std::string output;  // where to write the Markdown; empty: stdout
};

nlohmann::json read_report(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw usage_error("cannot read the report " + file);
  std::stringstream text;
  text << in.rdbuf();
  try {
    nlohmann::json j = nlohmann::json::parse(text.str());
    if (!j.is_object() || !j.contains("status"))
      throw usage_error(file + ": not a migsafe report (no \"status\")");
    return j;
  } catch (const nlohmann::json::parse_error& e) {
    throw usage_error(file + ": not valid JSON: " + e.what());
  }
}

int checklist_command(const ChecklistFlags& flags, const Console& console) {
  report::Report report;
  try {
    report = report::from_json(read_report(flags.from));
  } catch (const nlohmann::json::exception& e) {
    throw usage_error(flags.from + ": not a migsafe report: " + e.what());
  } catch (const Error& e) {
    throw usage_error(flags.from + ": not a migsafe report: " + e.what());
  }
  const std::string markdown = report::render_checklist(report);
  if (flags.output.empty()) {
    std::fputs(markdown.c_str(), stdout);
    return 0;
  }
  try {
    util::AtomicFile out(flags.output, 0644);
    out.write(markdown);
    out.commit();
  } catch (const std::runtime_error& e) {
    throw usage_error(std::string("cannot write the checklist: ") + e.what());
  }
  console.note("checklist written to " + flags.output);
  return 0;
}

}  // namespace

void register_checklist(CLI::App& app, Globals& globals) {
  auto flags = std::make_shared<ChecklistFlags>();
  CLI::App* cmd = app.add_subcommand(
      "checklist", "Write the Markdown release checklist of a run from its JSON report");
  cmd->add_option("--from", flags->from, "The run's JSON report (run --report FILE)")->required();
  cmd->add_option("--output,-o", flags->output,
                  "Write the checklist to this file instead of stdout");
  cmd->callback([&globals, flags] {
    globals.action = [flags](const Console& console) { return checklist_command(*flags, console); };
  });
}

}  // namespace migsafe::cli
