// Reading a file in chunks, in the shape of an InputSource so it can feed a child's stdin.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>

namespace migsafe::util {

// An open file read front to back. Copies share the open file and its position, so a FileReader
// can be stored in an `InputSource` (which must be copyable) and still be read from afterwards.
class FileReader {
 public:
  // Opens `path`; throws std::runtime_error naming it and the reason if it cannot.
  explicit FileReader(const std::filesystem::path& path);

  // Reads up to `capacity` bytes into `buffer`; returns 0 at the end. Throws on a read error.
  size_t read(char* buffer, size_t capacity);
  // The same as read(), so a FileReader is an `InputSource`.
  size_t operator()(char* buffer, size_t capacity) { return read(buffer, capacity); }
  // The file being read.
  const std::filesystem::path& path() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace migsafe::util
