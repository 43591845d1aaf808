// The off-site copy of a backup (`[backup.remote]`): uploaded from the same stream that writes the
// local file, then checked by HEAD and made visible by uploading its manifest last.
#pragma once

#include <filesystem>
#include <functional>
#include <future>
#include <memory>
#include <string>

#include "backup/manifest.hpp"
#include "backup/remote_store.hpp"
#include "pipeline/context.hpp"

namespace migsafe::pipeline {

// One backup's upload, from the first byte of the dump to its verified remote manifest.
class RemoteCopy {
 public:
  // Connects to the pipeline's remote store and checks bucket and credentials (ListObjectsV2 of
  // one key) before the dump starts; null when the pipeline has no `[backup.remote]`. With
  // `required`, a failure is Error(Exit::refused); else a warning and null.
  static std::unique_ptr<RemoteCopy> start(Context& context, const std::string& file_name,
                                           const std::string& backup_id);
  ~RemoteCopy();

  // Receives the data file's bytes as they are written (backup::DumpRequest::tee). With
  // `required`, an upload failure throws (the backup fails); else it is kept for finish().
  util::OutputSink sink();
  // Receives the data file's checksum and size once it is written (backup::DumpRequest::on_written):
  // completes the upload and gives the object its metadata in the background while the local
  // file is verified. finish() waits for it.
  std::function<void(const std::string& checksum, unsigned long long bytes)> on_written();
  // After the local backup is verified and `m` written to `manifest_path`: completes the upload,
  // checks the object (size and ETag by HEAD), uploads the schema snapshot and the manifest, and
  // records the outcome in `m.remote` (and the local manifest). With `required`, a failure is
  // Error(Exit::refused) ("no verified remote copy: no migration"); else a report warning.
  void finish(Context& context, backup::Manifest& m, const std::filesystem::path& manifest_path);

 private:
  RemoteCopy(const config::BackupRemote& config, std::string backup_id,
             std::unique_ptr<backup::RemoteStore> store,
             std::unique_ptr<remote::MultipartUpload> upload);
  [[noreturn]] void fail(const std::string& backup_id, const std::string& cause) const;

  const config::BackupRemote& config_;
  std::string backup_id_;
  std::unique_ptr<backup::RemoteStore> store_;
  std::unique_ptr<remote::MultipartUpload> upload_;
  std::string error_;  // first upload failure when not required
  std::future<backup::RemoteStore::Sealed> sealing_;  // on_written's work, if started
  std::chrono::steady_clock::time_point start_;
};

// Applies backup.keep_last / backup.max_age_days to the remote store with the local rules (never
// the newest verified, never a pinned backup) as a step named "prune remote"; a no-op without
// `[backup.remote]`. Problems become report warnings.
void prune_remote_backups(Context& context);

}  // namespace migsafe::pipeline
