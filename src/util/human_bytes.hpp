// Byte counts for people: "12.3 MiB".
#pragma once

#include <cstdint>
#include <string>

namespace migsafe::util {

// `bytes` in KiB, MiB or GiB with one decimal, e.g. "1.5 MiB".
std::string human_bytes(uint64_t bytes);

}  // namespace migsafe::util
