// A private temporary directory, removed with everything in it when the object goes away.
#pragma once

#include <filesystem>
#include <string>

namespace migsafe::util {

// Owns a directory made by mkdtemp (mode 0700).
class TempDir {
 public:
  // Creates `<base>/<prefix>XXXXXX`; base defaults to $TMPDIR or /tmp.
  explicit TempDir(const std::string& prefix, const std::filesystem::path& base = {});
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  // The directory.
  const std::filesystem::path& path() const { return path_; }
  // Gives the directory to `user` (when running as root), e.g. for a server that must not run as root.
  void give_to(const std::string& user) const;
  // Leaves the directory in place when this object is destroyed.
  void keep() { keep_ = true; }

 private:
  std::filesystem::path path_;
  bool keep_ = false;
};

}  // namespace migsafe::util
