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

TEST_CASE("parse_toc reads ids, OIDs and the dependencies of --list --verbose", "[toc]") {
  const std::string listing =
      "2; 3079 16385 EXTENSION - citext \n"
      "3510; 0 0 COMMENT - EXTENSION citext \n"
      ";\tdepends on: 2\n"
      "220; 1259 16554 TABLE billing subscriptions postgres\n"
      ";\tdepends on: 938 9 938\n";
  auto toc = parse_toc(listing);
  REQUIRE(toc.size() == 3);
  CHECK(toc[0].dump_id == 2);
  CHECK(toc[0].catalog_oid == 3079);
  CHECK(toc[0].object_oid == 16385);
  CHECK(toc[0].depends_on.empty());
  CHECK(toc[1].catalog_oid == 0);
  CHECK(toc[1].depends_on == std::vector<long>{2});
  CHECK(toc[2].tag == "subscriptions");
  CHECK(toc[2].depends_on == std::vector<long>{938, 9, 938});
}
