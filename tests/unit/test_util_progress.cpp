#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>

#include "util/progress.hpp"

namespace {

std::string drawn(const std::function<void(migsafe::util::Progress&)>& use, bool enabled) {
  char* buffer = nullptr;
  size_t size = 0;
  std::FILE* out = open_memstream(&buffer, &size);
  {
    migsafe::util::Progress progress("backup", enabled, out);
    use(progress);
  }
  std::fclose(out);
  std::string text(buffer, size);
  free(buffer);
  return text;
}

}  // namespace

TEST_CASE("progress draws bytes and rate on one line and clears it at the end", "[progress]") {
  std::string text = drawn([](auto& p) { p.add_bytes(3 * 1024 * 1024); }, true);
  CHECK(text.find("backup  3.0 MiB") != std::string::npos);
  CHECK(text.find("/s") != std::string::npos);
  CHECK(text.rfind("\r\033[K") == text.size() - 4);  // cleared last
}

TEST_CASE("progress shows forced text such as migration n/N", "[progress]") {
  std::string text = drawn([](auto& p) { p.show("2/5 20240102_add_index", true); }, true);
  CHECK(text.find("2/5 20240102_add_index") != std::string::npos);
}

TEST_CASE("disabled progress prints nothing", "[progress]") {
  CHECK(drawn([](auto& p) { p.add_bytes(100); p.show("x", true); }, false).empty());
}
