#include "checks/test_files.hpp"

#include <fnmatch.h>

#include <algorithm>

namespace migsafe::checks {
namespace fs = std::filesystem;
namespace {

using Segments = std::vector<std::string>;

Segments split_segments(const std::string& pattern) {
  Segments out;
  size_t start = 0;
  while (start <= pattern.size()) {
    size_t slash = pattern.find('/', start);
    if (slash == std::string::npos) slash = pattern.size();
    std::string segment = pattern.substr(start, slash - start);
    if (!segment.empty() && segment != ".") out.push_back(segment);
    start = slash + 1;
  }
  return out;
}

bool has_wildcard(const std::string& segment) {
  return segment.find_first_of("*?[") != std::string::npos;
}

bool is_hidden(const fs::path& path) {
  return path.filename().string().rfind('.', 0) == 0;
}

// Every test file below `dir`, not entering hidden or symlinked directories.
void add_all_below(const fs::path& dir, std::vector<fs::path>& out) {
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const fs::path& p = it->path();
    if (is_hidden(p)) continue;
    std::error_code type_ec;
    if (it->is_directory(type_ec) && !it->is_symlink(type_ec)) {
      add_all_below(p, out);
    } else if (it->is_regular_file(type_ec) && is_test_file_name(p)) {
      out.push_back(p);
    }
  }
}

void match(const fs::path& dir, const Segments& segs, size_t i, std::vector<fs::path>& out);

// A `**` segment: zero directories here, or one more level down (real, non-hidden directories).
void match_any_depth(const fs::path& dir, const Segments& segs, size_t i,
                     std::vector<fs::path>& out) {
  if (i + 1 == segs.size()) return add_all_below(dir, out);
  match(dir, segs, i + 1, out);
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code type_ec;
    if (!is_hidden(it->path()) && it->is_directory(type_ec) && !it->is_symlink(type_ec)) {
      match_any_depth(it->path(), segs, i, out);
    }
  }
}

// A segment written without wildcards: that entry, if it exists.
void match_literal(const fs::path& dir, const Segments& segs, size_t i,
                   std::vector<fs::path>& out) {
  fs::path p = dir / segs[i];
  std::error_code ec;
  if (i + 1 < segs.size()) {
    if (fs::is_directory(p, ec)) match(p, segs, i + 1, out);
  } else if (fs::is_directory(p, ec)) {
    add_all_below(p, out);
  } else if (fs::is_regular_file(p, ec)) {
    out.push_back(p);
  }
}

// A segment with `*`, `?` or `[...]`: every entry of `dir` whose name it matches.
void match_wildcard(const fs::path& dir, const Segments& segs, size_t i,
                    std::vector<fs::path>& out) {
  bool last = i + 1 == segs.size();
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (fnmatch(segs[i].c_str(), it->path().filename().c_str(), FNM_PERIOD) != 0) continue;
    std::error_code type_ec;
    if (!last && it->is_directory(type_ec)) match(it->path(), segs, i + 1, out);
    if (last && it->is_regular_file(type_ec) && is_test_file_name(it->path()))
      out.push_back(it->path());
  }
}

void match(const fs::path& dir, const Segments& segs, size_t i, std::vector<fs::path>& out) {
  if (i >= segs.size()) return;
  if (segs[i] == "**") return match_any_depth(dir, segs, i, out);
  if (has_wildcard(segs[i])) return match_wildcard(dir, segs, i, out);
  match_literal(dir, segs, i, out);
}

}  // namespace

bool is_test_file_name(const fs::path& path) {
  return path.extension() == ".sql" || path.extension() == ".pg";
}

std::vector<fs::path> expand_test_globs(const std::vector<std::string>& absolute_patterns) {
  std::vector<fs::path> out;
  for (const auto& pattern : absolute_patterns) {
    if (pattern.empty()) continue;
    match(pattern.front() == '/' ? fs::path("/") : fs::path("."), split_segments(pattern), 0, out);
  }
  for (auto& p : out) p = p.lexically_normal();
  // pg_prove's order: Perl's sort of the whole paths, byte by byte ("a-b.sql" before "a/x.sql").
  std::sort(out.begin(), out.end(), [](const fs::path& a, const fs::path& b) { return a.native() < b.native(); });
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace migsafe::checks
