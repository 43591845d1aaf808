// A file written under a temporary name and renamed into place only when complete, so readers
// never see half a file and a failed write leaves nothing behind.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <string_view>

namespace migsafe::util {

// Writes `<path>.partial`, then `commit()` renames it to `<path>`. Errors throw std::runtime_error
// naming the file and the system's reason (e.g. "No space left on device").
class AtomicFile {
 public:
  // Creates `<path>.partial`, readable by its owner alone from the first byte; fails if it exists
  // (another writer, or a crashed one whose leftover must be looked at). `mode` is applied on
  // commit.
  explicit AtomicFile(std::filesystem::path path, mode_t mode = 0600);
  // Removes the partial file unless committed.
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  // Appends `bytes`.
  void write(std::string_view bytes);
  // Flushes to disk, renames into place (replacing any file of that name) and syncs the directory.
  void commit();

  // The final path.
  const std::filesystem::path& path() const { return path_; }
  // The temporary path being written until commit().
  const std::filesystem::path& partial_path() const { return partial_; }
  // Bytes written so far.
  uint64_t bytes_written() const { return bytes_; }

 private:
  std::filesystem::path path_, partial_;
  mode_t mode_;
  int fd_ = -1;  // a raw descriptor: commit() must see close()'s result
  uint64_t bytes_ = 0;
  bool committed_ = false;
};

}  // namespace migsafe::util
