// Readers for the tables that describe checks: [verify] with its assertions and [rls] with its
// lint exceptions and cases.
#include <cmath>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "config/pipeline_sections.hpp"

namespace migsafe::config::detail {

namespace {

using FirstLines = std::map<std::string, int>;  // name -> line where it was first used

// Records an error if `name`, an entry's `name`, was already used by another entry.
void check_unique(const TableReader& entry, const std::string& name, FirstLines& first_lines) {
  if (name.empty()) return;
  auto [it, inserted] = first_lines.emplace(name, entry.pos().line);
  if (inserted) return;
  entry.error("name", "'" + entry.key_path("name") + "' repeats " + in_quotes(name) +
                          " (first used on line " + std::to_string(it->second) + ")");
}

// A TOML value as JSON; dates and times become their TOML text.
nlohmann::json to_json(const toml::node& node) {
  if (const toml::table* table = node.as_table()) {
    nlohmann::json object = nlohmann::json::object();
    for (const auto& [key, value] : *table) object[std::string(key.str())] = to_json(value);
    return object;
  }
  if (const toml::array* array = node.as_array()) {
    nlohmann::json list = nlohmann::json::array();
    for (const toml::node& element : *array) list.push_back(to_json(element));
    return list;
  }
  if (const auto* text = node.as_string()) return text->get();
  if (const auto* integer = node.as_integer()) return integer->get();
  if (const auto* real = node.as_floating_point()) return real->get();
  if (const auto* boolean = node.as_boolean()) return boolean->get();
  std::ostringstream out;
  node.visit([&out](const auto& value) { out << value; });
  return out.str();
}

// `key` as an ExpectedValue: a string (even empty), an integer, a finite float or a boolean.
std::optional<ExpectedValue> expected_value(const TableReader& table, std::string_view key) {
  using Kind = ExpectedValue::Kind;
  const toml::node* node = table.find(key);
  if (!node) return std::nullopt;
  if (const auto* text = node->as_string()) return ExpectedValue{Kind::text, text->get()};
  if (const auto* integer = node->as_integer()) {
    return ExpectedValue{Kind::integer, std::to_string(integer->get())};
  }
  if (const auto* boolean = node->as_boolean()) {
    return ExpectedValue{Kind::boolean, boolean->get() ? "true" : "false"};
  }
  const auto* real = node->as_floating_point();
  if (real && std::isfinite(real->get())) {
    return ExpectedValue{Kind::real, number_text(real->get())};
  }
  table.type_error(*node, table.key_path(key), "a string, a finite number or a boolean");
  return std::nullopt;
}

// `[verify.max_row_loss_pct_per_table]`: table name -> percentage.
std::map<std::string, double> read_per_table(const TableReader& table) {
  std::map<std::string, double> limits;
  for (const std::string& name : table.keys()) {
    if (table.find(name)->is_table()) {
      table.error(name, "'" + table.key_path(name) + "' is a table: quote a schema-qualified " +
                            "name, as in \"public.todos\" = 5");
    } else if (std::optional<double> pct = table.number(name, 0, 100)) {
      limits.emplace(name, *pct);
    }
  }
  return limits;
}

// One `[[verify.assert]]`.
Assertion read_assertion(const TableReader& table) {
  table.allow_only({"name", "sql", "expect"});
  Assertion assertion;
  assertion.name = table.required_string("name");
  assertion.sql = table.required_string("sql");
  assertion.expect = expected_value(table, "expect");
  assertion.pos = table.pos();
  return assertion;
}

// `tests`: glob patterns made absolute.
void read_tests(const TableReader& table, Verify& verify) {
  std::optional<std::vector<std::string>> patterns = table.strings("tests");
  if (!patterns) return;
  for (const std::string& pattern : *patterns)
    verify.tests.push_back(table.resolve(pattern).string());
  verify.tests_pos = pos_of(table.find("tests")->source());
}

// `seed`: seed file patterns made absolute.
void read_seed(const TableReader& table, Verify& verify) {
  std::optional<std::vector<std::string>> patterns = table.strings("seed");
  if (!patterns) return;
  verify.seed.emplace();
  for (const std::string& pattern : *patterns) verify.seed->push_back(table.resolve(pattern).string());
}

// One entry of `rls.ignore`.
RlsIgnore read_ignore(const TableReader& table) {
  table.allow_only({"lint", "object", "reason"});
  RlsIgnore ignore;
  ignore.lint = table.required_string("lint");
  ignore.object = table.required_string("object");
  ignore.reason = table.required_string("reason");
  ignore.pos = table.pos();
  return ignore;
}

// `claims`: a table, kept as compact JSON.
std::optional<std::string> read_claims(const TableReader& table) {
  const toml::node* node = table.find("claims");
  if (!node) return std::nullopt;
  if (!node->is_table()) {
    table.type_error(*node, table.key_path("claims"), "a table of JWT claims");
    return std::nullopt;
  }
  return to_json(*node).dump();
}

// Exactly one of `expect`, `expect_rows` and `expect_error`.
void read_case_expectation(const TableReader& table, RlsCase& rls_case) {
  static const char* const kKeys[] = {"expect", "expect_rows", "expect_error"};
  const char* first = nullptr;
  for (const char* key : kKeys) {
    if (!table.find(key)) continue;
    if (!first) {
      first = key;
    } else {
      table.error(key, "'" + table.key_path(key) + "' cannot be combined with '" + first +
                           "': give exactly one of 'expect', 'expect_rows' or 'expect_error'");
    }
  }
  if (!first) {
    table.table_error("'" + table.name() +
                      "' needs one of 'expect', 'expect_rows' or 'expect_error'");
  }
  rls_case.expect = expected_value(table, "expect");
  rls_case.expect_rows = table.integer("expect_rows", 0, std::numeric_limits<std::int64_t>::max());
  rls_case.expect_error = table.string("expect_error");
}

// One `[[rls.case]]`.
RlsCase read_case(const TableReader& table) {
  table.allow_only(
      {"name", "role", "claims", "setup", "sql", "expect", "expect_rows", "expect_error"});
  RlsCase rls_case;
  rls_case.name = table.required_string("name");
  rls_case.role = table.required_string("role");
  rls_case.claims_json = read_claims(table);
  rls_case.setup = table.string("setup");
  rls_case.sql = table.required_string("sql");
  read_case_expectation(table, rls_case);
  rls_case.pos = table.pos();
  return rls_case;
}

}  // namespace

Verify read_verify(const TableReader& table) {
  table.allow_only({"tests", "max_row_loss_pct", "max_row_loss_pct_per_table",
                    "allow_dropped_tables", "pgtap_schema", "assert", "seed", "seed_real_target"});
  Verify verify;
  read_tests(table, verify);
  read_seed(table, verify);
  set_if(verify.seed_real_target, table.boolean("seed_real_target"));
  set_if(verify.max_row_loss_pct, table.number("max_row_loss_pct", 0, 100));
  verify.max_row_loss_pct_per_table = read_per_table(table.section("max_row_loss_pct_per_table"));
  set_if(verify.allow_dropped_tables, table.strings("allow_dropped_tables"));
  set_if(verify.pgtap_schema, table.identifier("pgtap_schema"));
  FirstLines names;
  for (const TableReader& entry : table.tables("assert")) {
    verify.asserts.push_back(read_assertion(entry));
    check_unique(entry, verify.asserts.back().name, names);
  }
  return verify;
}

Rls read_rls(const TableReader& table, const Database& database) {
  table.allow_only(
      {"exposed_schemas", "fail_on", "default_deny", "public_tables", "ignore", "case"});
  Rls rls;
  rls.exposed_schemas = table.schemas("exposed_schemas").value_or(database.schemas);
  set_if(rls.fail_on, table.choice<RlsFailOn>(
                          "fail_on", {{"error", RlsFailOn::error}, {"warn", RlsFailOn::warn}}));
  set_if(rls.default_deny, table.boolean("default_deny"));
  set_if(rls.public_tables, table.strings("public_tables"));
  for (const TableReader& entry : table.tables("ignore")) rls.ignore.push_back(read_ignore(entry));
  FirstLines names;
  for (const TableReader& entry : table.tables("case")) {
    rls.cases.push_back(read_case(entry));
    check_unique(entry, rls.cases.back().name, names);
  }
  return rls;
}

}  // namespace migsafe::config::detail
