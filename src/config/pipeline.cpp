// Loading a pipeline: read the file, parse the TOML, then hand each table to its section reader
// (pipeline_sections.cpp, pipeline_checks.cpp). Problems are collected and reported together.
#include "config/pipeline.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>

#include "config/pipeline_reader.hpp"
#include "config/pipeline_sections.hpp"
#include "core/error.hpp"

namespace migsafe::config {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void cannot_read(const fs::path& file, const std::string& reason) {
  throw usage_error(file.string() + ": cannot read pipeline: " + reason);
}

// The whole text of `file`.
std::string read_text(const fs::path& file) {
  std::error_code ec;
  if (fs::is_directory(file, ec)) cannot_read(file, std::strerror(EISDIR));
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> stream(std::fopen(file.c_str(), "rb"),
                                                         std::fclose);
  if (!stream) cannot_read(file, std::strerror(errno));
  std::string text;
  char buffer[16384];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, stream.get())) > 0) text.append(buffer, n);
  if (std::ferror(stream.get())) cannot_read(file, std::strerror(errno));
  return text;
}

// Parses `text`; a syntax error becomes "<file>:<line>:<column>: <description>".
toml::table parse(const fs::path& file, const std::string& text) {
  try {
    return toml::parse(text, file.string());
  } catch (const toml::parse_error& error) {
    throw usage_error(detail::located(file.string(), detail::pos_of(error.source()),
                                      std::string(error.description())));
  }
}

// `version`: required, and 1.
void read_version(const detail::TableReader& root) {
  if (!root.require("version")) return;
  std::optional<std::int64_t> version =
      root.integer("version", 0, std::numeric_limits<std::int64_t>::max());
  if (version && *version != 1) {
    root.error("version", "unsupported pipeline version " + std::to_string(*version) +
                              " (this migsafe reads version 1)");
  }
}

Pipeline read_pipeline(const detail::TableReader& root, const fs::path& file, const fs::path& dir) {
  root.allow_only({"version", "name", "database", "migrations", "backup", "verify", "rls", "hooks",
                   "on_failure", "safety"});
  Pipeline pipeline;
  pipeline.file = file;
  pipeline.dir = dir;
  read_version(root);
  pipeline.name = root.string("name").value_or(file.stem().string());
  pipeline.database = detail::read_database(root.section("database"));
  pipeline.migrations = detail::read_migrations(root.section("migrations"));
  pipeline.backup = detail::read_backup(root.section("backup"));
  detail::check_backup_dir(root.section("backup"), pipeline.backup, pipeline.migrations);
  pipeline.verify = detail::read_verify(root.section("verify"));
  pipeline.rls = detail::read_rls(root.section("rls"), pipeline.database);
  pipeline.rls.enabled = root.find("rls") != nullptr;
  pipeline.hooks = detail::read_hooks(root.section("hooks"));
  pipeline.safety = detail::read_safety(root.section("safety"));
  pipeline.on_failure = detail::read_on_failure(root.section("on_failure"));
  return pipeline;
}

}  // namespace

Pipeline load_pipeline(const fs::path& file) {
  const std::string text = read_text(file);
  const toml::table root = parse(file, text);
  const fs::path dir = fs::absolute(file).lexically_normal().parent_path();
  detail::Diagnostics diagnostics(file.string());
  detail::TableReader reader(diagnostics, root, "", SourcePos{1, 1}, dir);
  Pipeline pipeline = read_pipeline(reader, file, dir);
  diagnostics.throw_if_any();
  return pipeline;
}

std::string location(const Pipeline& pipeline, SourcePos pos) {
  return pipeline.file.string() + ':' + std::to_string(pos.line) + ':' + std::to_string(pos.column);
}

}  // namespace migsafe::config
