#include <catch2/catch.hpp>

#include "backup/toc.hpp"

using migsafe::backup::parse_toc;

TEST_CASE("parse_toc splits pg_restore --list lines into kind, schema and tag", "[toc]") {
  const std::string listing =
      ";\n; Archive created at 2024-01-01\n;\n"
      "5; 2615 16384 SCHEMA - auth postgres\n"
      "3363; 0 0 COMMENT - SCHEMA public pg_database_owner\n"
      "3355; 0 16390 TABLE DATA public t postgres\n"
      "3210; 2620 16402 TRIGGER auth users on_auth_user_created postgres\n"
      "3211; 2606 16403 FK CONSTRAINT public todos todos_user_id_fkey postgres\n"
      "3212; 0 16404 MATERIALIZED VIEW DATA public mv postgres\n";
  auto toc = parse_toc(listing);
  REQUIRE(toc.size() == 6);
  CHECK(toc[0].desc == "SCHEMA");
  CHECK(toc[0].schema == "-");
  CHECK(toc[0].tag == "auth");
  CHECK(toc[1].desc == "COMMENT");
  CHECK(toc[1].tag == "SCHEMA public");
  CHECK(toc[2].desc == "TABLE DATA");
  CHECK(toc[2].schema == "public");
  CHECK(toc[2].tag == "t");
  CHECK(toc[3].tag == "users on_auth_user_created");
  CHECK(toc[4].desc == "FK CONSTRAINT");
  CHECK(toc[4].tag == "todos todos_user_id_fkey");
  CHECK(toc[5].desc == "MATERIALIZED VIEW DATA");
  CHECK(toc[5].line == "3212; 0 16404 MATERIALIZED VIEW DATA public mv postgres");
}

TEST_CASE("parse_toc skips comments and lines it does not understand", "[toc]") {
  CHECK(parse_toc("; just a comment\n\nnot a toc line\n").empty());
}
