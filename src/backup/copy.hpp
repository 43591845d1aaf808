// `[backup.copy]`: a user's command run once per finished backup, to keep a copy elsewhere (3-2-1).
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>

#include "backup/manifest.hpp"
#include "config/pipeline.hpp"

namespace migsafe::backup {

// Runs `backup.copy` (which must be set) with `/bin/sh -c` in `cwd`, with MIGSAFE_BACKUP_FILE,
// MIGSAFE_BACKUP_MANIFEST, MIGSAFE_BACKUP_SCHEMA_FILE and MIGSAFE_BACKUP_ID in its environment and
// the encryption key's variable removed from it. Returns the outcome for the manifest's `copy`:
// {"status": "ok"|"failed", "exit", "duration_ms", "at", "error"}. Never throws for the command's
// own failure.
nlohmann::json run_copy(const config::Backup& backup, const std::filesystem::path& cwd,
                        const std::filesystem::path& manifest_path, const Manifest& manifest);

}  // namespace migsafe::backup
