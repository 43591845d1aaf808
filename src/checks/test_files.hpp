// Which pgTAP files a pipeline's `verify.tests` patterns name.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace migsafe::checks {

// The test files `absolute_patterns` match, sorted as pg_prove sorts them (by the whole path,
// byte by byte) and without duplicates. In a pattern, `*` and
// `?` match within one path segment (not a leading '.'), `[...]` a set of characters, and a `**`
// segment any number of directories (zero included; hidden and symlinked directories are not
// entered). Files found by a wildcard must end in `.sql` or `.pg`; a file named without wildcards
// is taken whatever its name, and a directory named without wildcards stands for every test file
// below it. Unreadable directories and patterns that match nothing add nothing.
std::vector<std::filesystem::path> expand_test_globs(
    const std::vector<std::string>& absolute_patterns);

// Whether `path` has a test file's extension (`.sql` or `.pg`).
bool is_test_file_name(const std::filesystem::path& path);

}  // namespace migsafe::checks
