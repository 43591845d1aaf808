// UTF-8 validation, for refusing files PostgreSQL would choke on or silently cut short.
#pragma once

#include <optional>
#include <string_view>

namespace migsafe::util {

// The byte offset of the first byte that is not part of a well-formed UTF-8 sequence (overlong
// forms, surrogates and code points above U+10FFFF count as ill-formed), or nullopt when valid.
std::optional<size_t> first_invalid_utf8(std::string_view text);

}  // namespace migsafe::util
