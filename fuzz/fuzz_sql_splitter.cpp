// libFuzzer target: the SQL statement splitters (psql-like and the Supabase CLI's), positions,
// transaction-safety classification and migration refusals.
#include <cstdint>
#include <string_view>

#include "sql/migration_body.hpp"
#include "sql/splitter.hpp"
#include "sql/supabase_split.hpp"
#include "sql/transaction_safety.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view source(reinterpret_cast<const char*>(data), size);
  for (const auto& statement : migsafe::sql::split(source)) {
    if (statement.offset + statement.text.size() > source.size()) __builtin_trap();
    migsafe::sql::position_at(source, statement.offset);
    migsafe::sql::byte_offset_of_char(statement.text, int(statement.text.size() % 97) + 1);
    migsafe::sql::non_transactional_reason(statement.text);
    migsafe::sql::enum_values_added(statement.text);
  }
  for (const auto& refusal : migsafe::sql::migration_body(source).refusals) {
    if (refusal.line < 1 || refusal.column < 1) __builtin_trap();
  }
  size_t recorded = 0;
  for (const auto& text : migsafe::sql::supabase_statements(source)) recorded += text.size();
  if (recorded > source.size()) __builtin_trap();
  return 0;
}
