// Durations as people and PostgreSQL write them: "250ms", "5s", "10min", "1.5h", "10 min".
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace migsafe::util {

// Parses a non-negative duration: a decimal number (`1`, `1.5`), optional spaces, and a unit.
// Units (lowercase only): "ms"; "s", "sec", "secs", "second", "seconds"; "min", "mins", "minute",
// "minutes" and "m" (minutes, never months or metres); "h", "hour", "hours"; "d", "day", "days".
// A bare "0" needs no unit; any other bare number is refused as ambiguous (PostgreSQL would read
// "5" as 5ms, most people as 5s). Leading and trailing whitespace is ignored. Returns nullopt for
// anything else, for values that are not a whole number of milliseconds ("0.5ms") and on overflow.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

// Formats `duration` in the largest unit that holds it exactly, in a form PostgreSQL accepts for
// time settings such as lock_timeout: "0", "250ms", "5s", "10min", "2h", "1d".
std::string format_duration(std::chrono::milliseconds duration);

}  // namespace migsafe::util
