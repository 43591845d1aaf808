// libFuzzer target: a test file read as psql reads it, and printed rows repaired and cut as text.
#include <cstdint>
#include <string>
#include <string_view>

#include "checks/psql_script.hpp"
#include "util/utf8.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view source(reinterpret_cast<const char*>(data), size);
  migsafe::checks::PsqlScanner scanner(source);
  migsafe::checks::PsqlVariables vars{{"a", "1"}, {"q", "it's \\ \"x\""}};
  for (int items = 0; items <= static_cast<int>(size) + 1; ++items) {
    auto item = scanner.next(vars);
    if (item.kind == migsafe::checks::PsqlItem::Kind::end) break;
    const auto& q = item.query;
    for (size_t at = 0; at < q.text.size(); at += 7) {
      if (q.source_offset(at) > size) __builtin_trap();
    }
    if (item.kind == migsafe::checks::PsqlItem::Kind::meta && !item.args.empty()) vars[item.args[0]] = item.command;
    if (items == static_cast<int>(size) + 1) __builtin_trap();  // every item consumes input
  }
  std::string valid = migsafe::util::to_valid_utf8(source);
  if (migsafe::util::first_invalid_utf8(valid)) __builtin_trap();
  std::string cut = migsafe::util::truncate_chars(source, size / 3);
  if (source.compare(0, cut.size(), cut) != 0) __builtin_trap();
  return 0;
}
