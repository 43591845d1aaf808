// Tests for sql/splitter.cpp: statement boundaries, Supabase-compatible trimming, positions.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "sql/splitter.hpp"

using migsafe::sql::byte_offset_of_char;
using migsafe::sql::position_at;
using migsafe::sql::split;

namespace {

std::vector<std::string> texts(std::string_view source) {
  std::vector<std::string> out;
  for (const auto& statement : split(source)) out.push_back(statement.text);
  return out;
}

using Texts = std::vector<std::string>;

}  // namespace

TEST_CASE("semicolons inside single-quoted strings, with '' escapes, do not split") {
  CHECK(texts("select 'a;b''c;';select 2;") == Texts{"select 'a;b''c;'", "select 2"});
}

TEST_CASE("a backslash in a standard string is literal, so the quote after it closes the string") {
  CHECK(texts("select 'C:\\';select 2;") == Texts{"select 'C:\\'", "select 2"});
}

TEST_CASE("E'' strings honour backslash-escaped quotes") {
  CHECK(texts("select E'it\\'s;';select 2") == Texts{"select E'it\\'s;'", "select 2"});
  CHECK(texts("select e'\\\\';select 2") == Texts{"select e'\\\\'", "select 2"});
  CHECK(texts("select E'a'';b';select 2") == Texts{"select E'a'';b'", "select 2"});
}

TEST_CASE("semicolons inside double-quoted identifiers, with \"\" escapes, do not split") {
  CHECK(texts("create table \"a;b\" (\"x\"\";\" int);select 1") ==
        Texts{"create table \"a;b\" (\"x\"\";\" int)", "select 1"});
}

TEST_CASE("semicolons inside dollar quotes do not split") {
  CHECK(texts("select $$a;b$$; select $tag$ ; $tag$;") ==
        Texts{"select $$a;b$$", "select $tag$ ; $tag$"});
}

TEST_CASE(
    "a dollar quote closes only at its own tag, so nested quotes with other tags are opaque") {
  const std::string sql =
      "create function f() returns text language plpgsql as $fn$\n"
      "begin\n  execute $q$select ';'; $$;$$ $q$;\n  return 'x;';\nend;\n$fn$;\nselect 2;";
  const auto statements = texts(sql);
  REQUIRE(statements.size() == 2);
  CHECK(statements[0].substr(statements[0].size() - 4) == "$fn$");
  CHECK(statements[1] == "select 2");
}

TEST_CASE("positional parameters like $1 are not dollar quotes") {
  CHECK(texts("prepare p as select $1, $2;select 3;") ==
        Texts{"prepare p as select $1, $2", "select 3"});
}

TEST_CASE("a dollar sign inside an identifier does not open a dollar quote") {
  CHECK(texts("select foo$bar$;select 2") == Texts{"select foo$bar$", "select 2"});
}

TEST_CASE("an unterminated quote runs to the end of the source") {
  CHECK(texts("select $$a;b;") == Texts{"select $$a;b;"});
  CHECK(texts("select 'a;b;") == Texts{"select 'a;b;"});
}

TEST_CASE("BEGIN ATOMIC bodies of CREATE FUNCTION and PROCEDURE keep their semicolons") {
  const std::string function =
      "CREATE FUNCTION f() RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n  SELECT 1;\n"
      "  SELECT CASE WHEN true THEN 2 END;\nEND;\nselect 3;";
  const auto statements = texts(function);
  REQUIRE(statements.size() == 2);
  CHECK(statements[0].substr(statements[0].size() - 4) == "\nEND");
  CHECK(statements[1] == "select 3");
  CHECK(
      texts(
          "create or replace procedure p() begin atomic insert into t values (1); end;select 1") ==
      Texts{"create or replace procedure p() begin atomic insert into t values (1); end",
            "select 1"});
}

TEST_CASE("BEGIN outside a routine definition is a transaction statement and splits normally") {
  CHECK(texts("begin; select 1; end; commit;") == Texts{"begin", "select 1", "end", "commit"});
}

TEST_CASE("semicolons inside parentheses do not split, as in psql (CREATE RULE actions)") {
  const std::string rule =
      "create rule r as on insert to t do also (insert into a values (1); insert into b values "
      "(2))";
  CHECK(texts(rule + ";select 1") == Texts{rule, "select 1"});
}

TEST_CASE("semicolons inside nested block comments do not split") {
  CHECK(texts("/* a /* b; */ c; */ select 1; select 2") ==
        Texts{"/* a /* b; */ c; */ select 1", "select 2"});
}

TEST_CASE("semicolons inside line comments do not split") {
  CHECK(texts("select 1 -- ; not a split\n; select 2") ==
        Texts{"select 1 -- ; not a split", "select 2"});
}

TEST_CASE("a source of only whitespace, comments and empty statements yields no statements") {
  CHECK(split("").empty());
  CHECK(split(" \n\t\r\n").empty());
  CHECK(split("-- a\n/* b /* c */ */\n  \n").empty());
  CHECK(split(";; -- x\n;").empty());
}

TEST_CASE("a comment after the last statement is not a statement") {
  CHECK(texts("select 1;\n-- done\n") == Texts{"select 1"});
}

TEST_CASE("a final statement without a semicolon or trailing newline is a statement") {
  CHECK(texts("select 1") == Texts{"select 1"});
  CHECK(texts("select 1;\nselect 2\n-- trailing note") ==
        Texts{"select 1", "select 2\n-- trailing note"});
}

TEST_CASE(
    "text is trimmed like the Supabase CLI: preceding comments kept, ';' and outer whitespace "
    "dropped") {
  CHECK(texts("  select 1 ;  -- about 2\nselect\n  2\n;\n") ==
        Texts{"select 1", "-- about 2\nselect\n  2"});
}

TEST_CASE(
    "offset, line and column point at the first character of text, a leading comment included") {
  const std::string sql = "select 1;\n\n-- make t\ncreate table t();\n";
  const auto statements = split(sql);
  REQUIRE(statements.size() == 2);
  CHECK(statements[0].offset == 0);
  CHECK(statements[1].text == "-- make t\ncreate table t()");
  CHECK(statements[1].offset == sql.find("--"));
  CHECK(statements[1].line == 3);
  CHECK(statements[1].column == 1);
}

TEST_CASE("CRLF line breaks count as one line and stay inside the text") {
  const auto statements = split("select 1;\r\n  select\r\n 2;\r\n");
  REQUIRE(statements.size() == 2);
  CHECK(statements[1].text == "select\r\n 2");
  CHECK(statements[1].offset == 13);
  CHECK(statements[1].line == 2);
  CHECK(statements[1].column == 3);
}

TEST_CASE("a leading UTF-8 BOM is skipped but offsets refer to the original source") {
  const auto statements = split("\xEF\xBB\xBFselect 1;\nselect 2;");
  REQUIRE(statements.size() == 2);
  CHECK(statements[0].text == "select 1");
  CHECK(statements[0].offset == 3);
  CHECK(statements[0].line == 1);
  CHECK(statements[0].column == 1);
  CHECK(statements[1].line == 2);
}

TEST_CASE("columns count multi-byte UTF-8 characters once") {
  const auto statements = split("select 'é€';  select 2;");
  REQUIRE(statements.size() == 2);
  CHECK(statements[1].offset == 17);
  CHECK(statements[1].column == 15);
}

TEST_CASE("psql meta-command lines outside a statement are skipped") {
  const std::string sql =
      "\\set ON_ERROR_STOP on\nselect 1;\n  \\echo don't\nselect 2;\n\\connect other";
  const auto statements = split(sql);
  REQUIRE(statements.size() == 2);
  CHECK(statements[0].text == "select 1");
  CHECK(statements[1].text == "select 2");
  CHECK(statements[1].line == 4);
}

TEST_CASE("position_at counts lines and UTF-8 characters") {
  CHECK(position_at("ab\ncd", 4).line == 2);
  CHECK(position_at("ab\ncd", 4).column == 2);
  CHECK(position_at("é=1", 2).column == 2);
  CHECK(position_at("é=1", 3).column == 3);
}

TEST_CASE("position_at treats CRLF and a lone CR as one line break each") {
  CHECK(position_at("a\r\nb", 3).line == 2);
  CHECK(position_at("a\r\nb", 3).column == 1);
  CHECK(position_at("a\r\n\r\nb", 5).line == 3);
  CHECK(position_at("a\rb", 2).line == 2);
}

TEST_CASE("position_at does not count a leading BOM and clamps offsets past the end") {
  CHECK(position_at("\xEF\xBB\xBF"
                    "ab",
                    4)
            .column == 2);
  CHECK(position_at("\xEF\xBB\xBF"
                    "ab",
                    0)
            .column == 1);
  CHECK(position_at("ab", 99).column == 3);
}

TEST_CASE("byte_offset_of_char turns a 1-based character index into a byte offset") {
  CHECK(byte_offset_of_char("select", 1) == 0);
  CHECK(byte_offset_of_char("aé b", 3) == 3);
  CHECK(byte_offset_of_char("é€x", 3) == 5);
  CHECK(byte_offset_of_char("abc", 0) == 0);
  CHECK(byte_offset_of_char("abc", 4) == 3);
  CHECK(byte_offset_of_char("abc", 99) == 3);
}

TEST_CASE("a server error position maps back to file line and column") {
  const std::string sql = "select 1;\n-- é comment\nselect\n  nope é;";
  const auto statements = split(sql);
  REQUIRE(statements.size() == 2);
  // PostgreSQL would report "nope" at character 23 of the second statement's text.
  const size_t in_text = byte_offset_of_char(statements[1].text, 23);
  CHECK(statements[1].text.substr(in_text, 4) == "nope");
  const auto at = position_at(sql, statements[1].offset + in_text);
  CHECK(at.line == 4);
  CHECK(at.column == 3);
}
