// See copy_redirect.hpp. COPY data can contain any text, so headers are only looked for outside it.
#include "backup/copy_redirect.hpp"

#include <stdexcept>

namespace migsafe::backup {

CopyRedirect::CopyRedirect(std::vector<std::string> targets, std::function<void(std::string_view)> out)
    : targets_(std::move(targets)), out_(std::move(out)) {}

void CopyRedirect::feed(std::string_view chunk) {
  while (!chunk.empty()) {
    size_t end = chunk.find('\n');
    if (end == std::string_view::npos) {
      partial_.append(chunk);
      return;
    }
    if (partial_.empty()) {
      line(chunk.substr(0, end + 1));
    } else {
      partial_.append(chunk.substr(0, end + 1));
      std::string whole;
      whole.swap(partial_);
      line(whole);
    }
    chunk.remove_prefix(end + 1);
  }
}

void CopyRedirect::finish() {
  if (!partial_.empty()) out_(partial_);
  partial_.clear();
}

void CopyRedirect::line(std::string_view text) {
  if (in_data_) {
    if (text == "\\.\n") in_data_ = false;
    out_(text);
    return;
  }
  const std::string_view header = "COPY ";
  size_t columns = text.find(" (");
  bool is_header = text.substr(0, header.size()) == header && text.find(" FROM stdin;") != std::string_view::npos;
  if (!is_header) {
    out_(text);
    return;
  }
  in_data_ = true;
  if (next_ >= targets_.size()) throw std::runtime_error("pg_restore wrote more tables' rows than were asked for");
  size_t table_end = columns != std::string_view::npos ? columns : text.find(" FROM stdin;");
  std::string rewritten = "COPY " + targets_[next_++];
  rewritten.append(text.substr(table_end));
  out_(rewritten);
}

}  // namespace migsafe::backup
