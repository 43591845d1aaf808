// libFuzzer target: the SQL statement splitter, positions and transaction-safety classification.
#include <cstdint>
#include <string_view>

#include "sql/splitter.hpp"
#include "sql/transaction_safety.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view source(reinterpret_cast<const char*>(data), size);
  for (const auto& statement : migsafe::sql::split(source)) {
    if (statement.offset + statement.text.size() > source.size()) __builtin_trap();
    migsafe::sql::position_at(source, statement.offset);
    migsafe::sql::byte_offset_of_char(statement.text, int(statement.text.size() % 97) + 1);
    migsafe::sql::non_transactional_reason(statement.text);
  }
  return 0;
}
