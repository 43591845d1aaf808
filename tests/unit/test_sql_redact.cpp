#include <catch2/catch.hpp>

#include "sql/redact.hpp"

using migsafe::sql::redact_literals;

TEST_CASE("redact_literals blanks every kind of literal and keeps the query's shape", "[sql][redact]") {
  CHECK(redact_literals("select * from users where email = 'a@b.c' and id = 42") ==
        "select * from users where email = ? and id = ?");
  CHECK(redact_literals("select E'it\\'s', 'it''s', x'ff', B'01', U&'d\\0061'") == "select ?, ?, ?, ?, ?");
  CHECK(redact_literals("select $$secret$$, $t$also 'secret'$t$ from t1 where a = $1") ==
        "select ?, ? from t1 where a = $1");
  CHECK(redact_literals("update \"Orders\" set total = 1.5e3, \"a\"\"b\" = .5 -- card 4111\nwhere id=7") ==
        "update \"Orders\" set total = ?, \"a\"\"b\" = ? where id=?");
  CHECK(redact_literals("select /* token abc */ col2\n\n  from t") == "select col2 from t");
}

TEST_CASE("redact_literals cuts long text by characters", "[sql][redact]") {
  CHECK(redact_literals("select ééééé from t", 9) == "select éé...");
  CHECK(redact_literals("select 'unterminated") == "select ?");
}
