#include "backup/copy.hpp"

#include <chrono>

#include "util/process.hpp"

namespace migsafe::backup {

nlohmann::json run_copy(const config::Backup& backup, const std::filesystem::path& cwd,
                        const std::filesystem::path& manifest_path, const Manifest& manifest) {
  const auto dir = manifest_path.parent_path();
  util::Command command;
  command.argv = {"/bin/sh", "-c", backup.copy->command};
  if (backup.encryption_key_env) command.unset_env.push_back(*backup.encryption_key_env);
  command.cwd = cwd.string();
  command.env = {{"MIGSAFE_BACKUP_FILE", (dir / manifest.file).string()},
                 {"MIGSAFE_BACKUP_MANIFEST", manifest_path.string()},
                 {"MIGSAFE_BACKUP_SCHEMA_FILE",
                  manifest.schema_file.empty() ? "" : (dir / manifest.schema_file).string()},
                 {"MIGSAFE_BACKUP_ID", manifest.backup_id}};
  command.on_stdout = [](std::string_view) {};
  auto start = std::chrono::steady_clock::now();
  nlohmann::json out = {{"at", iso8601_utc(std::chrono::system_clock::now())}};
  util::ProcessResult result;
  try {
    result = util::run_process(command);
  } catch (const std::exception& e) {
    result.stderr_text = e.what();
  }
  out["duration_ms"] = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::steady_clock::now() - start)
                           .count();
  out["status"] = result.ok() ? "ok" : "failed";
  out["exit"] = result.exit_code;
  std::string tail = result.stderr_text.size() > 2000
                         ? result.stderr_text.substr(result.stderr_text.size() - 2000)
                         : result.stderr_text;
  while (!tail.empty() && tail.back() == '\n') tail.pop_back();
  out["error"] = result.ok()
                     ? nlohmann::json()
                     : nlohmann::json(result.describe() + (tail.empty() ? "" : ": " + tail));
  return out;
}

}  // namespace migsafe::backup
