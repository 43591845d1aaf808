// UTF-8 text: validation (refusing files PostgreSQL would choke on), repair (any bytes a server, a
// test or a hook prints must end up in a valid JSON report) and cutting by characters, never
// inside one.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace migsafe::util {

// The byte offset of the first byte that is not part of a well-formed UTF-8 sequence (overlong
// forms, surrogates and code points above U+10FFFF count as ill-formed), or nullopt when valid.
std::optional<size_t> first_invalid_utf8(std::string_view text);

// `text` with every ill-formed sequence replaced by U+FFFD (one per maximal ill-formed subpart,
// as the Unicode standard recommends); `replaced`, when given, receives how many were replaced.
std::string to_valid_utf8(std::string_view text, size_t* replaced = nullptr);

// How many characters `text` has, by the rule truncate_chars cuts by.
size_t count_chars(std::string_view text);

// The first `max_chars` characters of `text` (the whole text when it is shorter). A character is a
// well-formed UTF-8 sequence, or a single byte of an ill-formed one; a cut never splits a sequence.
std::string truncate_chars(std::string_view text, size_t max_chars);

// The last `max_chars` characters of `text` (the whole text when it is shorter), by the same rule.
std::string last_chars(std::string_view text, size_t max_chars);

// The longest prefix of `text` of at most `max_bytes` bytes that does not end inside a well-formed
// UTF-8 sequence (for byte budgets such as PostgreSQL's 63-byte application_name).
std::string_view truncate_bytes(std::string_view text, size_t max_bytes);

}  // namespace migsafe::util
