// The `backup ... --remote` commands' work on the remote store: verifying a backup by streaming
// it down, and fetching one into the local store so the local restore path (checked whole,
// safety backup, one verified transaction) restores it.
#pragma once

#include <optional>

#include "backup/key.hpp"
#include "backup/remote_store.hpp"
#include "pipeline/backup_commands.hpp"

namespace migsafe::pipeline {

// The pipeline's remote store; Error(Exit::usage) when it has no `[backup.remote]`.
backup::RemoteStore open_remote(const config::Pipeline& pipeline);

// Downloads `stored` (from `remote`) and checks the stream as `backup verify` checks a file (sha256,
// key, every encrypted chunk, the whole zstd frame, pg_restore --list) without writing it to disk;
// records the outcome in the remote manifest (status, verified_at).
VerifyOutcome verify_remote_backup(const config::Pipeline& pipeline, backup::RemoteStore& remote,
                                   const backup::StoredBackup& stored,
                                   const std::optional<backup::EncryptionKey>& key);

// `backup verify --remote --restore-drill`: downloads `stored` into a private temporary directory
// (checked against the manifest's sha256 and the object's metadata as it arrives), verifies it and
// runs the restore drill there exactly as for a local backup (a scratch database on
// `drill_server`, the fingerprint, row counts, `tests`), records status, verified_at and the drill
// in the remote manifest, and removes the download.
VerifyOutcome drill_remote_backup(const config::Pipeline& pipeline, backup::RemoteStore& remote,
                                  const backup::StoredBackup& stored,
                                  const std::optional<backup::EncryptionKey>& key,
                                  const pg::ConnInfo& drill_server,
                                  const backup::DrillTests& tests);

// The local copy of remote backup `stored` in the pipeline's backup directory: the one already
// there when its checksum matches, else downloaded (checked against the manifest's sha256 as it
// arrives; a mismatch is Error(Exit::refused) and leaves nothing). Returns the local store holding
// it, whose first backup is it.
backup::Store fetch_remote_backup(const config::Pipeline& pipeline, backup::RemoteStore& remote,
                                  const backup::StoredBackup& stored);

}  // namespace migsafe::pipeline
