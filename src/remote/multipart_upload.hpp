// Streaming an object of unknown size to S3 as it is produced: parts of `part_size` bytes uploaded
// by `concurrency` background threads (each with its own connection) while the next one fills, so
// memory stays at `concurrency` + 2 parts whatever the size. An object smaller than one part goes
// up as a single PUT.
#pragma once

#include <condition_variable>
#include <exception>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "remote/s3_client.hpp"

namespace migsafe::remote {

// What was uploaded.
struct UploadResult {
  std::string key;                // the object's key
  unsigned long long bytes = 0;   // its size
  std::string etag;               // the ETag the service returned
  std::string expected_etag;      // the ETag the bytes sent must have (MD5, or MD5 of MD5s-N)
  int parts = 0;                  // 0 for a single PUT
};

// One object being uploaded. Use from one thread; `finish` or `abort` ends it, and destroying it
// unfinished aborts the upload (no object appears; the service drops the parts).
class MultipartUpload {
 public:
  // Starts an upload of `key` through `client` (used by the background thread until the upload
  // ends), with `metadata` on the object. `part_size` >= 5 MiB except in tests.
  MultipartUpload(S3Client& client, std::string key, size_t part_size, Metadata metadata = {},
                  int concurrency = 4);
  ~MultipartUpload();
  MultipartUpload(const MultipartUpload&) = delete;
  MultipartUpload& operator=(const MultipartUpload&) = delete;

  // Appends `chunk`; throws the upload's error (Error(Exit::refused)) once a part has failed.
  void write(std::string_view chunk);
  // Uploads what is left and completes the object; `final_metadata` is added when the object goes
  // up in one PUT (multipart uploads fix their metadata at the start). Throws on failure, after
  // aborting.
  UploadResult finish(const Metadata& final_metadata = {});
  // Gives up: aborts the multipart upload if one was started. Never throws.
  void abort() noexcept;
  // The metadata the object was started with.
  const Metadata& metadata() const { return metadata_; }

 private:
  void start_threads();
  void upload_loop();
  void hand_over();  // passes `filling_` to the uploader, waiting while it is busy
  void rethrow_failure();

  S3Client& client_;
  std::string key_;
  size_t part_size_;
  Metadata metadata_;
  std::string filling_;                  // the part being filled
  std::vector<std::string> part_md5s_;   // raw MD5 of every part handed over, in order
  std::vector<std::string> etags_;       // ETags of the parts uploaded, by part number - 1
  std::string upload_id_;
  unsigned long long bytes_ = 0;
  bool done_ = false;

  int concurrency_;
  std::vector<std::thread> threads_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::optional<std::pair<int, std::string>> pending_;  // the part (number, bytes) taken next
  bool closing_ = false;
  std::exception_ptr failure_;
};

// Gives the existing object `key` (`size` bytes, uploaded in parts of `part_size`) the user
// `metadata`, which a multipart upload must fix before its first byte: the service copies the
// object onto itself part by part (UploadPartCopy, `concurrency` at a time, no byte through this
// process), with the same part boundaries, so the ETag stays the one the bytes sent must have.
// Returns the new ETag; throws Error(Exit::refused) after aborting the copy (the object is then
// left as it was).
std::string rewrite_metadata(S3Client& client, const std::string& key, unsigned long long size,
                             size_t part_size, const Metadata& metadata, int concurrency = 4);

}  // namespace migsafe::remote
