#include <catch2/catch.hpp>

#include "backup/copy_redirect.hpp"

using migsafe::backup::CopyRedirect;

namespace {

std::string run(const std::string& script, std::vector<std::string> targets, size_t chunk) {
  std::string out;
  CopyRedirect redirect(std::move(targets), [&](std::string_view s) { out.append(s); });
  for (size_t at = 0; at < script.size(); at += chunk) redirect.feed(std::string_view(script).substr(at, chunk));
  redirect.finish();
  return out;
}

}  // namespace

TEST_CASE("COPY headers go to the targets in order; rows and other lines pass untouched", "[copy_redirect]") {
  const std::string script =
      "SET search_path = '';\n"
      "COPY storage.buckets (id, name) FROM stdin;\n"
      "COPY this row looks like a header FROM stdin;\n"
      "b1\tavatars\n"
      "\\.\n"
      "\n"
      "COPY \"auth\".\"users\" (id) FROM stdin;\n"
      "u1\n"
      "\\.\n";
  const std::string expected =
      "SET search_path = '';\n"
      "COPY pg_temp.t1 (id, name) FROM stdin;\n"
      "COPY this row looks like a header FROM stdin;\n"
      "b1\tavatars\n"
      "\\.\n"
      "\n"
      "COPY pg_temp.t2 (id) FROM stdin;\n"
      "u1\n"
      "\\.\n";
  for (size_t chunk : {1, 3, 7, 1000}) CHECK(run(script, {"pg_temp.t1", "pg_temp.t2"}, chunk) == expected);
}

TEST_CASE("more COPY headers than targets is an error, not a write to the real table", "[copy_redirect]") {
  CHECK_THROWS(run("COPY a.b (x) FROM stdin;\n\\.\n", {}, 100));
}
