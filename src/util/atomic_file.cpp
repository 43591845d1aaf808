#include "util/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

#include "util/fd.hpp"

namespace migsafe::util {
namespace {

[[noreturn]] void fail(const std::string& doing, const std::filesystem::path& path) {
  throw std::runtime_error("cannot " + doing + " " + path.string() + ": " + std::strerror(errno));
}

// Makes a rename durable: the directory entry itself must reach the disk.
void sync_directory(const std::filesystem::path& file) {
  std::filesystem::path dir = file.parent_path();
  if (dir.empty()) dir = ".";
  Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd || ::fsync(fd.get()) != 0) fail("sync directory", dir);
}

}  // namespace

AtomicFile::AtomicFile(std::filesystem::path path, mode_t mode)
    : path_(std::move(path)), partial_(path_.string() + ".partial"), mode_(mode) {
  fd_ = ::open(partial_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd_ < 0) fail("create", partial_);
}

AtomicFile::~AtomicFile() {
  if (committed_) return;
  if (fd_ >= 0) ::close(fd_);
  ::unlink(partial_.c_str());
}

void AtomicFile::write(std::string_view bytes) {
  if (fd_ < 0) throw std::logic_error("AtomicFile::write after commit: " + path_.string());
  while (!bytes.empty()) {
    ssize_t n = ::write(fd_, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("write", partial_);
    }
    bytes.remove_prefix(size_t(n));
    bytes_ += uint64_t(n);
  }
}

void AtomicFile::commit() {
  if (fd_ < 0) throw std::logic_error("AtomicFile::commit twice: " + path_.string());
  if (::fchmod(fd_, mode_) != 0) fail("set the mode of", partial_);
  if (::fsync(fd_) != 0) fail("write", partial_);
  // close() reports deferred write errors on some file systems (NFS): check it.
  int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) fail("write", partial_);
  if (::rename(partial_.c_str(), path_.c_str()) != 0)
    fail("rename " + partial_.string() + " to", path_);
  committed_ = true;
  sync_directory(path_);
}

}  // namespace migsafe::util
