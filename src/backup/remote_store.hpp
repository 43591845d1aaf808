// The pipeline's off-site store (`[backup.remote]`): the same backups as the local directory, as
// objects `<prefix><data file>`, `<prefix><id>.schema.sql` and, written last, `<prefix><id>.json`
// (the manifest). A backup is listed only once its manifest is there. Every object carries its own
// size and sha256 as user metadata (`migsafe-bytes`, `migsafe-sha256`), checked whenever it is read.
#pragma once

#include <chrono>
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
  // Starts the streamed upload of a backup's data file `file_name`; `checksum` ("sha256:<hex>") and
  // `bytes` when already known (a finished file), else complete() adds them afterwards.
  std::unique_ptr<remote::MultipartUpload> start_upload(const std::string& file_name,
                                                        const std::string& backup_id,
                                                        const std::string& checksum = "",
                                                        unsigned long long bytes = 0);
  // Completes `upload` (the data file of manifest `m`, whose schema snapshot is in `local_dir`),
  // gives the object its size and sha256 as metadata if the upload could not (parts went up before
  // the hash was known: the service copies it onto itself), checks the object by HEAD (its size is
  // the backup's, its ETag that of the bytes sent, its metadata the manifest's), uploads
  // the schema snapshot and, last, the manifest with `m.remote` filled in. Returns `m.remote`.
  // Throws Error(Exit::refused) saying what failed; nothing is listed then.
  nlohmann::json complete(remote::MultipartUpload& upload, Manifest& m,
                          const std::filesystem::path& local_dir, long long started_ms_ago = 0);
  // The first half of complete(), which needs only the data's `checksum` and `bytes` (so it can
  // run while the local file is verified): completes `upload` and gives the object its metadata.
  // The object is not listed until publish() uploads the manifest; on failure it is deleted.
  struct Sealed {
    std::string key;            // the data object
    std::string expected_etag;  // the ETag its bytes must have
    int parts = 0;              // 0: one PUT
  };
  Sealed seal(remote::MultipartUpload& upload, const std::string& checksum,
              unsigned long long bytes);
  // The HEAD check of the uploaded data object `key` (size, `expected_etag`, metadata), then the
  // schema snapshot from `local_dir` and, last, the manifest with `m.remote` filled in.
  nlohmann::json publish(Manifest& m, const std::filesystem::path& local_dir,
                         const std::string& key, const std::string& expected_etag, int parts,
                         std::chrono::steady_clock::time_point start);
  // Deletes `key`, best effort (an object that failed its checks and has no manifest).
  void discard(const std::string& key) noexcept;
  // Uploads the local backup `local` (its data file read once, its sha256 checked against the
  // manifest as it is read) as complete() does; returns `remote` for its manifest. A file of up to
  // kSinglePutMax bytes goes up as one PUT streamed from the file (signed with the manifest's
  // sha256, so the service checks it too), a larger one in parts uploaded concurrently.
  nlohmann::json push(const StoredBackup& local);
  // Checks the data object of `backup` by HEAD: present, the manifest's size, the ETag recorded
  // at upload, size and sha256 metadata equal to the manifest's. Returns a problem line, or ""
  // when it matches.
  std::string check(const StoredBackup& backup);
  // Uploads the small local file `path` under its own name.
  void put_file(const std::filesystem::path& path);
  // Uploads `manifest` as `<id>.json`, with its data's size, checksum and migration version as
  // object metadata.
  void put_manifest(const Manifest& manifest);
  // Streams the data object of `backup` to `sink`; returns "" when the object's size and sha256
  // metadata equal the manifest's, else what differs. The caller checks the stream itself against
  // the manifest, and so that the stream matches the metadata.
  std::string read_data(const StoredBackup& backup, const util::OutputSink& sink);
  // Downloads `backup` (data checked against the manifest's sha256 as it arrives, schema snapshot,
  // manifest) into `dir`; returns the local manifest's path. A mismatch is Error(Exit::refused)
  // and leaves no data file.
  std::filesystem::path download(const StoredBackup& backup, const std::filesystem::path& dir);
  // Deletes the backup's data, schema snapshot and, last, its manifest.
  void remove(const StoredBackup& backup);

 private:
  // Uploads `body` as `key` with its size and sha256 as metadata, plus `extra`.
  void put_object(const std::string& key, const std::string& body, remote::Metadata extra = {});
  // GETs the small object `key` and checks it against its size and sha256 metadata.
  std::string get_checked(const std::string& key);

  std::unique_ptr<remote::S3Client> client_;
  size_t part_size_;
};

// The object metadata names for an object's own size and sha256 (lowercase hex).
inline constexpr const char* kMetaBytes = "migsafe-bytes";
inline constexpr const char* kMetaSha256 = "migsafe-sha256";

// "" when `metadata` records `bytes` and `sha256_hex` (of the object `where`), else what differs.
std::string metadata_mismatch(const remote::Metadata& metadata, const std::string& where,
                              unsigned long long bytes, const std::string& sha256_hex);

// The largest backup file `backup push` uploads in one PUT (as rclone does below its 200 MiB
// upload_cutoff); above it, multipart.
inline constexpr unsigned long long kSinglePutMax = 200ull << 20;

// The name of the object (relative to the prefix) for a file of a remote StoredBackup's paths.
std::string object_name(const std::filesystem::path& remote_path);

}  // namespace migsafe::backup
