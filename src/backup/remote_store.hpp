// The pipeline's off-site store (`[backup.remote]`): the same backups as the local directory, as
// objects `<prefix><data file>`, `<prefix><id>.schema.sql` and, written last, `<prefix><id>.json`
// (the manifest). A backup is listed only once its manifest is there.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "backup/manifest.hpp"
#include "backup/store.hpp"
#include "config/pipeline.hpp"
#include "remote/multipart_upload.hpp"
#include "remote/s3_client.hpp"

namespace migsafe::backup {

// A connection to the remote store, with credentials from the environment.
class RemoteStore {
 public:
  // Reads the credentials `config` names (Error(Exit::usage) naming a variable that is unset).
  explicit RemoteStore(const config::BackupRemote& config);

  // "s3://bucket/prefix/".
  std::string url() const { return client_->location().url(); }
  // The client (for uploads).
  remote::S3Client& client() { return *client_; }
  // Multipart part size in bytes.
  size_t part_size() const { return part_size_; }

  // Every backup whose manifest is in the store, newest first (unreadable manifests in
  // `problems`). Paths in it are s3:// URLs.
  Store read();
  // Starts the streamed upload of a backup's data file `file_name`.
  std::unique_ptr<remote::MultipartUpload> start_upload(const std::string& file_name,
                                                        const std::string& backup_id);
  // Completes `upload` (the data file of manifest `m`, whose schema snapshot is in `local_dir`),
  // checks the object by HEAD (its size is the backup's, its ETag that of the bytes sent), uploads
  // the schema snapshot and, last, the manifest with `m.remote` filled in. Returns `m.remote`.
  // Throws Error(Exit::refused) saying what failed; nothing is listed then.
  nlohmann::json complete(remote::MultipartUpload& upload, Manifest& m,
                          const std::filesystem::path& local_dir, long long started_ms_ago = 0);
  // Uploads the local backup `local` (its data file read once, its sha256 checked against the
  // manifest as it is read) as complete() does; returns `remote` for its manifest.
  nlohmann::json push(const StoredBackup& local);
  // Checks the data object of `backup` by HEAD: present, the manifest's size and the ETag recorded
  // at upload. Returns a problem line, or "" when it matches.
  std::string check(const StoredBackup& backup);
  // Uploads the small local file `path` under its own name.
  void put_file(const std::filesystem::path& path);
  // Uploads `manifest` as `<id>.json`, with its data's size, checksum and migration version as
  // object metadata.
  void put_manifest(const Manifest& manifest);
  // Streams the data object of `backup` to `sink`.
  void read_data(const StoredBackup& backup, const util::OutputSink& sink);
  // Downloads `backup` (data checked against the manifest's sha256 as it arrives, schema snapshot,
  // manifest) into `dir`; returns the local manifest's path. A mismatch is Error(Exit::refused)
  // and leaves no data file.
  std::filesystem::path download(const StoredBackup& backup, const std::filesystem::path& dir);
  // Deletes the backup's data, schema snapshot and, last, its manifest.
  void remove(const StoredBackup& backup);

 private:
  std::unique_ptr<remote::S3Client> client_;
  size_t part_size_;
};

// The name of the object (relative to the prefix) for a file of a remote StoredBackup's paths.
std::string object_name(const std::filesystem::path& remote_path);

}  // namespace migsafe::backup
