// Reading an existing Supabase project for `migsafe init`: the layout the Supabase CLI creates
// (supabase/migrations, supabase/tests, supabase/config.toml) and the schemas its migrations
// create, found with the SQL tokenizer so comments and strings never count.
#include "config/supabase_project.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

#include <toml++/toml.h>

#include "config/pipeline_diagnostics.hpp"
#include "core/error.hpp"
#include "sql/splitter.hpp"

namespace migsafe::config {
namespace fs = std::filesystem;
namespace {

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw usage_error(path.string() + ": cannot read");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The tokens of `statement` that are not comments, up to `limit` of them.
std::vector<sql::Token> leading_tokens(std::string_view statement, size_t limit) {
  std::vector<sql::Token> out;
  size_t pos = 0;
  while (out.size() < limit) {
    sql::Token token = sql::next_token(statement, pos);
    if (token.kind == sql::TokenKind::end) break;
    pos = token.offset + token.text.size();
    if (token.kind != sql::TokenKind::comment) out.push_back(token);
  }
  return out;
}

// An identifier token as PostgreSQL reads it: "Quoted" kept, unquoted folded to lower case.
std::string identifier(const sql::Token& token) {
  std::string text(token.text);
  if (token.kind == sql::TokenKind::quoted_identifier) {
    std::string out;
    for (size_t i = 1; i + 1 < text.size(); ++i) {
      out += text[i];
      if (text[i] == '"') ++i;  // "" inside quotes is one "
    }
    return out;
  }
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return char(std::tolower(c)); });
  return text;
}

bool is_name(const sql::Token& token) {
  return token.kind == sql::TokenKind::word || token.kind == sql::TokenKind::quoted_identifier;
}

// The schema `statement` creates, or "" when it is no CREATE SCHEMA.
std::string schema_created_by(std::string_view statement) {
  auto t = leading_tokens(statement, 7);
  if (t.size() < 3 || !sql::is_keyword(t[0].text, "CREATE") || !sql::is_keyword(t[1].text, "SCHEMA")) {
    return "";
  }
  size_t i = 2;
  if (t.size() > 5 && sql::is_keyword(t[2].text, "IF") && sql::is_keyword(t[3].text, "NOT") &&
      sql::is_keyword(t[4].text, "EXISTS")) {
    i = 5;
  }
  if (i < t.size() && t[i].kind == sql::TokenKind::word && sql::is_keyword(t[i].text, "AUTHORIZATION")) {
    ++i;  // CREATE SCHEMA AUTHORIZATION role: the schema is named after the role
  }
  return i < t.size() && is_name(t[i]) ? identifier(t[i]) : "";
}

bool has_sql_file(const fs::path& dir) {
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_regular_file(ec) && it->path().extension() == ".sql") return true;
  }
  return false;
}

// The `.sql` files directly in `dir`, sorted by name (the Supabase CLI's order).
std::vector<fs::path> sql_files(const fs::path& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_regular_file(ec) && it->path().extension() == ".sql") out.push_back(it->path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// `[api] schemas` of `file`, or empty.
std::vector<std::string> api_schemas(const fs::path& file) {
  toml::table root;
  try {
    root = toml::parse(read_file(file), file.string());
  } catch (const toml::parse_error& error) {
    throw usage_error(detail::located(file.string(), detail::pos_of(error.source()),
                                      std::string(error.description())));
  }
  const toml::node* node = root.at_path("api.schemas").node();
  if (node == nullptr) return {};
  std::vector<std::string> out;
  const toml::array* list = node->as_array();
  for (size_t i = 0; list != nullptr && i < list->size(); ++i) {
    const auto* value = list->get(i)->as_string();
    if (value == nullptr) list = nullptr;
    else out.push_back(value->get());
  }
  if (list == nullptr) {
    throw usage_error(detail::located(file.string(), detail::pos_of(node->source()),
                                      "[api] schemas must be a list of schema names"));
  }
  return out;
}

}  // namespace

std::vector<std::string> created_schemas(const std::string& sql) {
  std::vector<std::string> out;
  for (const auto& statement : sql::split(sql)) {
    std::string schema = schema_created_by(statement.text);
    if (!schema.empty()) out.push_back(schema);
  }
  return out;
}

SupabaseProject read_supabase_project(const fs::path& root) {
  SupabaseProject project;
  project.root = root;
  const fs::path supabase = root / "supabase";
  std::error_code ec;
  if (!fs::is_directory(supabase, ec)) {
    throw usage_error(supabase.string() +
                      ": no such directory; run `migsafe init` in a repository that has supabase/ "
                      "(created by `supabase init`), or name that repository: migsafe init DIR");
  }
  project.migrations_dir = supabase / "migrations";
  project.has_migrations_dir = fs::is_directory(project.migrations_dir, ec);
  if (project.has_migrations_dir) {
    for (const auto& file : sql_files(project.migrations_dir)) {
      ++project.migration_files;
      for (auto& schema : created_schemas(read_file(file))) {
        if (std::find(project.created_schemas.begin(), project.created_schemas.end(), schema) ==
            project.created_schemas.end()) {
          project.created_schemas.push_back(std::move(schema));
        }
      }
    }
  }
  project.has_tests = fs::is_directory(supabase / "tests", ec) && has_sql_file(supabase / "tests");
  project.has_config = fs::is_regular_file(supabase / "config.toml", ec);
  if (project.has_config) project.api_schemas = api_schemas(supabase / "config.toml");
  return project;
}

}  // namespace migsafe::config
