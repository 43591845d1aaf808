#include "util/file_reader.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

#include "util/fd.hpp"

namespace migsafe::util {

struct FileReader::State {
  std::filesystem::path path;
  Fd fd;
};

FileReader::FileReader(const std::filesystem::path& path) : state_(std::make_shared<State>()) {
  state_->path = path;
  state_->fd = Fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!state_->fd)
    throw std::runtime_error("cannot open " + path.string() + ": " + std::strerror(errno));
}

size_t FileReader::read(char* buffer, size_t capacity) {
  while (true) {
    ssize_t n = ::read(state_->fd.get(), buffer, capacity);
    if (n >= 0) return size_t(n);
    if (errno != EINTR) {
      throw std::runtime_error("cannot read " + state_->path.string() + ": " +
                               std::strerror(errno));
    }
  }
}

const std::filesystem::path& FileReader::path() const {
  return state_->path;
}

}  // namespace migsafe::util
