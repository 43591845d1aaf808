#include "util/progress.hpp"

#include <unistd.h>

#include <cstdlib>

#include "util/human_bytes.hpp"

namespace migsafe::util {
namespace {

constexpr auto kRedrawEvery = std::chrono::milliseconds(200);
bool g_disabled = false;

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

bool progress_on_terminal() {
  return !g_disabled && isatty(STDERR_FILENO) && std::getenv("MIGSAFE_NO_PROGRESS") == nullptr;
}

void disable_progress() { g_disabled = true; }

Progress::Progress(std::string label, bool enabled, std::FILE* out)
    : label_(std::move(label)), enabled_(enabled), out_(out), start_(std::chrono::steady_clock::now()) {}

Progress::~Progress() { finish(); }

bool Progress::due() {
  if (!enabled_) return false;
  auto now = std::chrono::steady_clock::now();
  if (drawn_ && now - last_draw_ < kRedrawEvery) return false;
  last_draw_ = now;
  return true;
}

void Progress::draw(const std::string& text) {
  char elapsed[32];
  std::snprintf(elapsed, sizeof elapsed, "%.1f s", seconds_since(start_));
  std::fprintf(out_, "\r\033[K  %s  %s  %s", label_.c_str(), text.c_str(), elapsed);
  std::fflush(out_);
  drawn_ = true;
}

void Progress::add_bytes(uint64_t bytes) {
  bytes_ += bytes;
  if (!due()) return;
  double seconds = seconds_since(start_);
  uint64_t rate = seconds > 0 ? uint64_t(double(bytes_) / seconds) : 0;
  draw(human_bytes(bytes_) + "  " + human_bytes(rate) + "/s");
}

void Progress::show(const std::string& text, bool force) {
  if (!enabled_) return;
  if (force || due()) draw(text);
}

void Progress::finish() {
  if (enabled_ && drawn_) {
    std::fprintf(out_, "\r\033[K");
    std::fflush(out_);
  }
  enabled_ = false;
}

}  // namespace migsafe::util
