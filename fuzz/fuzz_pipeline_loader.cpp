// libFuzzer target: the TOML pipeline loader and validator, on a file in a private directory.
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "config/pipeline.hpp"
#include "core/error.hpp"

namespace {

// A private directory for the pipeline file, removed when the fuzzer exits.
struct WorkDir {
  std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("migsafe-fuzz-" + std::to_string(getpid()));
  WorkDir() { std::filesystem::create_directories(path / "migrations"); }
  ~WorkDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
};

const std::filesystem::path& work_dir() {
  static const WorkDir dir;
  return dir.path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto file = work_dir() / "pipeline.toml";
  {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), std::streamsize(size));
  }
  try {
    migsafe::config::load_pipeline(file);
  } catch (const migsafe::Error& e) {
    if (e.code() != migsafe::Exit::usage) __builtin_trap();  // bad input is always a usage error
  }
  return 0;
}
