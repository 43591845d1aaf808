#include <catch2/catch.hpp>

#include "pg/object_diff.hpp"

using migsafe::pg::ObjectChange;
using migsafe::pg::SchemaFact;
using migsafe::pg::describe;
using migsafe::pg::diff_objects;

TEST_CASE("a changed field is shown before → after, and nothing else", "[drift]") {
  std::vector<SchemaFact> before = {
      {"policy", "public.t.p", R"J({"roles": ["authenticated"], "using": "(owner_id = 1)", "command": "UPDATE"})J"},
      {"column", "public.t.a", R"J({"type": "integer", "not_null": false})J"}};
  auto after = before;
  after[0].definition = R"J({"roles": ["authenticated"], "using": "true", "command": "UPDATE"})J";
  auto changes = diff_objects(before, after);
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].how == ObjectChange::How::changed);
  CHECK(describe(changes[0]) == "~ policy public.t.p: using: (owner_id = 1) → true");
  CHECK(diff_objects(before, before).empty());
}

TEST_CASE("grants are compared one by one, options key by key, long text by its first differing line", "[drift]") {
  std::vector<SchemaFact> before = {{"relation", "public.s",
                                     R"J({"kind": "view", "grants": [["(owner)", "SELECT"]], "options": {"security_invoker": "true"}, "view": " SELECT a\n   FROM t;"})J"}};
  std::vector<SchemaFact> after = {{"relation", "public.s",
                                    R"J({"kind": "view", "grants": [["(owner)", "SELECT"], ["anon", "SELECT"]], "options": {"security_invoker": "false"}, "view": " SELECT b\n   FROM t;"})J"}};
  auto changes = diff_objects(before, after);
  REQUIRE(changes.size() == 1);
  CHECK(describe(changes[0]) ==
        "~ view public.s: grant SELECT to anon: added; options.security_invoker: true → false; "
        "view line 1:  SELECT a →  SELECT b");
}

TEST_CASE("a new table carries its columns; an index stands alone", "[drift]") {
  std::vector<SchemaFact> after = {{"relation", "public.n", R"J({"kind": "table"})J"},
                                   {"column", "public.n.id", R"J({"type": "integer"})J"},
                                   {"column", "public.n.label", R"J({"type": "text"})J"},
                                   {"index", "public.n_idx", R"J({"definition": "CREATE INDEX n_idx ON public.n USING btree (id)"})J"}};
  auto changes = diff_objects({}, after);
  REQUIRE(changes.size() == 2);
  CHECK(describe(changes[0]) == "+ index public.n_idx added: CREATE INDEX n_idx ON public.n USING btree (id)");
  CHECK(describe(changes[1]) == "+ table public.n added: 2 columns");
  CHECK(describe(diff_objects(after, {})[1]) == "- table public.n removed: 2 columns");
}

TEST_CASE("version 1 facts (plain text) still diff", "[drift]") {
  std::vector<SchemaFact> before = {{"column", "public.t.a", "1 integer"}};
  std::vector<SchemaFact> after = {{"column", "public.t.a", "1 bigint"}};
  CHECK(describe(diff_objects(before, after).at(0)) == "~ column public.t.a: definition: 1 integer → 1 bigint");
}

TEST_CASE("hash_facts hashes the sorted lines as the server does", "[drift]") {
  std::vector<SchemaFact> facts = {{"index", "public.i", "{}"}, {"column", "public.t.a", R"J({"x": 1})J"}};
  CHECK(migsafe::pg::hash_facts(facts) ==
        "sha256:5723c482d85bca2b9a69d3b998425285f4afcfbc06eaa51c088b3d6653968ec9");
}
