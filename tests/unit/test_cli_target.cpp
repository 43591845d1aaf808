#include <catch2/catch.hpp>

#include "cli/target.hpp"

using migsafe::cli::display_without_password;

TEST_CASE("display_without_password removes passwords from URLs and keyword strings", "[target]") {
  CHECK(display_without_password("postgresql://bob:s3cret@db.example.com:5432/app") ==
        "postgresql://bob@db.example.com:5432/app");
  CHECK(display_without_password("postgres://bob:p%40ss@host/app?sslmode=require") == "postgres://bob@host/app?sslmode=require");
  CHECK(display_without_password("postgresql://bob@host/app") == "postgresql://bob@host/app");
  CHECK(display_without_password("postgresql:///app?host=/tmp&password=s3cret&port=5") == "postgresql:///app?host=/tmp&port=5");
  CHECK(display_without_password("host=db password=s3cret dbname=app") == "host=db dbname=app");
  CHECK(display_without_password("host=db password='with space' dbname=app") == "host=db dbname=app");
}
