#include "pipeline/hooks.hpp"

#include <algorithm>
#include <exception>

#include "util/process.hpp"
#include "util/utf8.hpp"

namespace migsafe::pipeline {
namespace {

// Keeps the first kHookOutputCap bytes of a stream, cut between characters, and counts the rest.
// A few bytes beyond the cap are held so the cut can see where the character at the edge ends.
struct CappedOutput {
  static constexpr size_t kHeld = kHookOutputCap + 4;
  std::string text;
  size_t dropped = 0;

  void append(std::string_view chunk) {
    size_t room = kHeld - std::min(kHeld, text.size());
    text.append(chunk.substr(0, room));
    if (chunk.size() > room) dropped += chunk.size() - room;
  }

  std::string finish() const {
    if (text.size() <= kHookOutputCap && dropped == 0) return text;
    std::string_view kept = util::truncate_bytes(text, kHookOutputCap);
    size_t more = dropped + text.size() - kept.size();
    return std::string(kept) + "\n[migsafe: " + std::to_string(more) + " more bytes of output not kept]\n";
  }
};

util::Command hook_command(const std::string& command, std::chrono::milliseconds timeout,
                           const std::vector<std::pair<std::string, std::string>>& env,
                           const std::string& cwd) {
  util::Command c;
  c.argv = {"/bin/sh", "-c", command};
  c.env = env;
  c.cwd = cwd;
  c.timeout = timeout;
  c.stderr_to_stdout = true;
  return c;
}

}  // namespace

nlohmann::json HookResult::to_json() const {
  return {{"name", name},           {"command", command}, {"exit_code", exit_code},
          {"timed_out", timed_out}, {"output", output},   {"duration_ms", duration_ms}};
}

HookResult run_hook(const std::string& name, const std::string& command,
                    std::chrono::milliseconds timeout,
                    const std::vector<std::pair<std::string, std::string>>& env,
                    const std::string& cwd) {
  HookResult result{name, command, -1, false, "", 0};
  CappedOutput output;
  std::string note;  // migsafe's own line about the hook, kept even when the output was capped
  util::Command c = hook_command(command, timeout, env, cwd);
  c.on_stdout = [&output](std::string_view chunk) { output.append(chunk); };
  auto start = std::chrono::steady_clock::now();
  try {
    util::ProcessResult r = util::run_process(c);
    result.exit_code = r.exit_code;
    result.timed_out = r.timed_out;
    output.append(r.stderr_text);  // empty: stderr was merged into stdout
    if (r.timed_out)
      note = "\n[migsafe: timed out after " + std::to_string(timeout.count()) + " ms; killed]\n";
  } catch (const std::exception& e) {
    note = std::string("[migsafe: could not start the hook: ") + e.what() + "]\n";
  }
  result.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::steady_clock::now() - start)
                           .count();
  result.output = output.finish() + note;
  return result;
}

std::vector<std::pair<std::string, std::string>> hook_environment(const report::Report& report,
                                                                  const std::string& report_file) {
  std::string backup_id;
  if (report.backup.is_object()) backup_id = report.backup.value("backup_id", std::string());
  return {{"MIGSAFE_STATUS", report.status == report::RunStatus::unset ? "running" : to_string(report.status)},
          {"MIGSAFE_EXIT_CODE", std::to_string(report.exit_code)},
          {"MIGSAFE_BACKUP_ID", backup_id},
          {"MIGSAFE_FROM_VERSION", report.from_version},
          {"MIGSAFE_TO_VERSION", report.to_version},
          {"MIGSAFE_REPORT", report_file},
          {"MIGSAFE_PIPELINE", report.pipeline},
          {"MIGSAFE_RUN_ID", report.run_id},
          {"MIGSAFE_DRY_RUN", report.dry_run ? "true" : "false"}};
}

}  // namespace migsafe::pipeline
