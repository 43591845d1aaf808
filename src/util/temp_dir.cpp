#include "util/temp_dir.hpp"

#include <pwd.h>
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace migsafe::util {

TempDir::TempDir(const std::string& prefix, const std::filesystem::path& base) {
  std::filesystem::path root = base;
  if (root.empty()) {
    const char* tmp = getenv("TMPDIR");
    root = tmp && *tmp ? tmp : "/tmp";
  }
  std::string pattern = (root / (prefix + "XXXXXX")).string();
  if (mkdtemp(pattern.data()) == nullptr) {
    throw std::runtime_error("cannot create a temporary directory in " + root.string() + ": " +
                             std::strerror(errno));
  }
  path_ = pattern;
}

TempDir::~TempDir() {
  if (keep_) return;
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

void TempDir::give_to(const std::string& user) const {
  if (geteuid() != 0) return;
  struct passwd* pw = getpwnam(user.c_str());
  if (pw == nullptr) throw std::runtime_error("no user '" + user + "' to own " + path_.string());
  if (chown(path_.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
    throw std::runtime_error("cannot give " + path_.string() + " to " + user + ": " + std::strerror(errno));
  }
}

}  // namespace migsafe::util
