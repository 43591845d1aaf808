#include <catch2/catch.hpp>

#include "checks/psql_file_run.hpp"
#include "checks/psql_script.hpp"

using migsafe::checks::PsqlItem;
using migsafe::checks::PsqlScanner;
using migsafe::checks::PsqlVariables;

namespace {

// Every item of `source`, as "Q:<text>" or "M:<command>(<arg>|<arg>)".
std::vector<std::string> items(const std::string& source, PsqlVariables vars = {}) {
  PsqlScanner scanner(source);
  std::vector<std::string> out;
  for (PsqlItem item = scanner.next(vars); item.kind != PsqlItem::Kind::end; item = scanner.next(vars)) {
    if (item.kind == PsqlItem::Kind::query) {
      out.push_back("Q:" + item.query.text);
      continue;
    }
    std::string args;
    for (size_t i = 0; i < item.args.size(); ++i) args += (i ? "|" : "") + item.args[i];
    out.push_back("M:" + item.command + "(" + args + ")");
    if (item.command == "gset" || item.command == "g") out.push_back("B:" + scanner.take_buffer().text);
    if (item.command == "set" && item.args.size() >= 2) vars[item.args[0]] = item.args[1];
  }
  return out;
}

}  // namespace

TEST_CASE("psql scanner splits at semicolons and meta-commands", "[psql]") {
  CHECK(items("select 1; select 2;\n\\echo hi there\nselect 3") ==
        std::vector<std::string>{"Q:select 1", "Q:select 2", "M:echo(hi|there)", "Q:select 3"});
  CHECK(items("-- only a comment\n") == std::vector<std::string>{});
  CHECK(items("select '\\x'; select $$a;\\b$$;") == std::vector<std::string>{"Q:select '\\x'", "Q:select $$a;\\b$$"});
}

TEST_CASE("psql scanner interpolates variables as psql does", "[psql]") {
  PsqlVariables vars{{"id", "42"}, {"name", "O'Brien"}, {"tbl", "My \"T\""}, {"bs", "a\\b"}};
  CHECK(items("select :id, :'name', :\"tbl\";", vars) ==
        std::vector<std::string>{"Q:select 42, 'O''Brien', \"My \"\"T\"\"\""});
  CHECK(items("select :'bs';", vars) == std::vector<std::string>{"Q:select  E'a\\\\b'"});
  // Not inside strings, dollar quotes, comments or casts; unknown variables stay as written.
  CHECK(items("select ':id', $$:id$$, 1::int, :missing, :{?id} -- :id\n;", vars) ==
        std::vector<std::string>{"Q:select ':id', $$:id$$, 1::int, :missing, TRUE -- :id"});
  CHECK(items("select arr[1:2] from t;", vars) == std::vector<std::string>{"Q:select arr[1:2] from t"});
}

TEST_CASE("psql scanner sees variables set between statements", "[psql]") {
  CHECK(items("\\set v 7\nselect :v;\n\\set v 8\nselect :v;") ==
        std::vector<std::string>{"M:set(v|7)", "Q:select 7", "M:set(v|8)", "Q:select 8"});
}

TEST_CASE("psql scanner hands \\gset the query buffer", "[psql]") {
  CHECK(items("select 1 as a \\gset p_\nselect 2;") ==
        std::vector<std::string>{"M:gset(p_)", "B:select 1 as a", "Q:select 2"});
}

TEST_CASE("psql scanner reads meta-command arguments as psql does", "[psql]") {
  PsqlVariables vars{{"x", "v"}};
  CHECK(items("\\echo 'a b' 'it''s' 'tab\\there' :x :'x' \"q r\"", vars) ==
        std::vector<std::string>{"M:echo(a b|it's|tab\there|v|'v'|\"q r\")"});
  CHECK(items("\\set a 1 \\\\ select 2;") == std::vector<std::string>{"M:set(a|1)", "Q:select 2"});
}

TEST_CASE("psql scanner keeps BEGIN ATOMIC bodies whole", "[psql]") {
  CHECK(items("create function f() returns int language sql begin atomic select 1; end; select 2;") ==
        std::vector<std::string>{"Q:create function f() returns int language sql begin atomic select 1; end",
                                 "Q:select 2"});
}

TEST_CASE("psql query maps positions back through substitutions", "[psql]") {
  PsqlScanner scanner("select :long + nope;");
  PsqlItem item = scanner.next({{"long", "1234567890"}});
  const auto& q = item.query;
  size_t nope = q.text.find("nope");
  CHECK(q.source_offset(nope) == std::string("select :long + ").size());
  CHECK(q.source_offset(9) == 7);  // inside the value: the reference
}

TEST_CASE("transaction verbs of a test file", "[psql]") {
  using migsafe::checks::transaction_verb;
  using V = migsafe::checks::TransactionVerb;
  CHECK(transaction_verb("BEGIN") == V::begin);
  CHECK(transaction_verb("start transaction isolation level serializable") == V::begin);
  CHECK(transaction_verb("-- c\ncommit") == V::commit);
  CHECK(transaction_verb("end") == V::commit);
  CHECK(transaction_verb("rollback") == V::rollback);
  CHECK(transaction_verb("abort work") == V::rollback);
  CHECK(transaction_verb("rollback to savepoint a") == V::none);
  CHECK(transaction_verb("rollback work to a") == V::none);
  CHECK(transaction_verb("prepare transaction 'x'") == V::prepared);
  CHECK(transaction_verb("commit prepared 'x'") == V::prepared);
  CHECK(transaction_verb("select 1") == V::none);
}
