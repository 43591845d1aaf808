// The statements the Supabase CLI stores in `supabase_migrations.schema_migrations.statements` for
// a migration file, reproduced exactly so `supabase migration list`, `db pull` and a later
// `supabase migration repair` see the same history whether the CLI or migsafe applied the file.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace migsafe::sql {

// Splits `source` the way the Supabase CLI's parser.SplitAndTrim does (supabase/cli
// pkg/parser): its quirks included (a comment-only segment is a statement, a leading BOM is kept,
// a backslash outside quotes escapes the next character, "BEGIN ATOMIC" is its own region, and
// the first ')' closes every open parenthesis). Used only for what is RECORDED; what migsafe
// executes comes from split(), which follows psql.
std::vector<std::string> supabase_statements(std::string_view source);

}  // namespace migsafe::sql
