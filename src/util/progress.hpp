// Progress for long work on a terminal: one line on stderr, redrawn at most five times a second
// and cleared at the end. Nothing at all when disabled (not a TTY, --quiet, --json pipelines...).
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace migsafe::util {

// True when stderr is a terminal, MIGSAFE_NO_PROGRESS is not set and nobody called disable_progress().
bool progress_on_terminal();
// Turns progress off for the whole process (e.g. --quiet).
void disable_progress();

// A progress line for `label`.
class Progress {
 public:
  Progress(std::string label, bool enabled, std::FILE* out = stderr);
  // A progress line that is drawn when progress_on_terminal().
  explicit Progress(std::string label) : Progress(std::move(label), progress_on_terminal()) {}
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // Counts `bytes` more and redraws "label  12.3 MiB  45.6 MiB/s  1.2 s" when due.
  void add_bytes(uint64_t bytes);
  void add(uint64_t bytes) { add_bytes(bytes); }
  // Redraws with `text` and the elapsed time, e.g. "2/5 20240102_add_index", when due (or `force`).
  void show(const std::string& text, bool force = false);
  // Clears the line; later calls draw nothing.
  void finish();

 private:
  bool due();
  void draw(const std::string& text);
  std::string label_;
  bool enabled_;
  std::FILE* out_;
  uint64_t bytes_ = 0;
  std::chrono::steady_clock::time_point start_, last_draw_;
  bool drawn_ = false;
};

}  // namespace migsafe::util
