// Tests for sql/supabase_split.cpp: the statements the Supabase CLI records, quirks included.
// (The integration tests compare whole history rows with the real CLI.)
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "sql/supabase_split.hpp"

using migsafe::sql::supabase_statements;
using Texts = std::vector<std::string>;

TEST_CASE("supabase_statements trims ';' and white space and keeps comments before a statement") {
  CHECK(supabase_statements("-- head\ncreate table a (x int);\n\n  select 1 ;\n") ==
        Texts{"-- head\ncreate table a (x int)", "select 1"});
}

TEST_CASE("supabase_statements keeps a comment-only tail as a statement, as the CLI stores it") {
  CHECK(supabase_statements("select 1;\n-- end of file\n") == Texts{"select 1", "-- end of file"});
}

TEST_CASE("supabase_statements does not split inside quotes, dollar quotes and comments") {
  CHECK(supabase_statements("select 'a;b''c';select \"x;\";select $f$ ; $f$;select 1 /* ; /* ; */ */;") ==
        Texts{"select 'a;b''c'", "select \"x;\"", "select $f$ ; $f$", "select 1 /* ; /* ; */ */"});
  CHECK(supabase_statements("select 1 -- a;b\n;select 2") == Texts{"select 1 -- a;b", "select 2"});
}

TEST_CASE("supabase_statements keeps BEGIN ATOMIC bodies and parenthesised ';' together") {
  const std::string f = "create function f() returns int language sql begin atomic select 1; select 2; end;";
  CHECK(supabase_statements(f + "select 3;") ==
        Texts{"create function f() returns int language sql begin atomic select 1; select 2; end", "select 3"});
  CHECK(supabase_statements("select (1;2);") == Texts{"select (1;2)"});
  // The CLI's quirk: the first ')' closes every open '(' (its region does not count depth).
  CHECK(supabase_statements("create rule r as on insert to t do (insert into u values (1); select 2);") ==
        Texts{"create rule r as on insert to t do (insert into u values (1)", "select 2)"});
}

TEST_CASE("supabase_statements has the CLI's quirks: a backslash escapes the next character") {
  // E'' escapes are not understood: the quote after \ ends the string, the next one opens another.
  CHECK(supabase_statements("select E'it\\'s';select 2;") == Texts{"select E'it\\'s';select 2"});
  CHECK(supabase_statements("select 1 \\;select 2;") == Texts{"select 1 \\;select 2"});
}

TEST_CASE("supabase_statements keeps BEGIN and COMMIT of a wrapped file, and non-ASCII text") {
  CHECK(supabase_statements("BEGIN;\ncreate table \"café\" (x int); -- ── note —\nCOMMIT;") ==
        Texts{"BEGIN", "create table \"café\" (x int)", "-- ── note —\nCOMMIT"});
}

TEST_CASE("supabase_statements of nothing but white space is empty") {
  CHECK(supabase_statements("").empty());
  CHECK(supabase_statements(" ;\n;\n").empty());
}
