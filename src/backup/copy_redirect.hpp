// A filter for pg_restore's SQL output that loads each table's rows somewhere else: the table
// named by the N-th `COPY <table> (<columns>) FROM stdin;` header becomes the N-th target, the rows
// pass through untouched. A restore uses it to read a table's pre-run rows into a scratch table.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace migsafe::backup {

// Feeds a script through, line by line, rewriting COPY headers (not lines inside COPY data).
class CopyRedirect {
 public:
  // `targets` in the order the headers come; `out` receives the rewritten script.
  CopyRedirect(std::vector<std::string> targets, std::function<void(std::string_view)> out);
  // Takes the next `chunk` of the script (lines may span chunks).
  void feed(std::string_view chunk);
  // Passes on what is left of an unterminated last line.
  void finish();
  // How many headers were rewritten.
  size_t redirected() const { return next_; }

 private:
  void line(std::string_view text);  // one line, with its '\n'
  std::vector<std::string> targets_;
  std::function<void(std::string_view)> out_;
  std::string partial_;
  bool in_data_ = false;
  size_t next_ = 0;
};

}  // namespace migsafe::backup
