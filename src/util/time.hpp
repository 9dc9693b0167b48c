#pragma once
#include <cstdint>
#include <string>

namespace gridbase::util {

/// Microseconds since the Unix epoch (UTC).
int64_t NowMicros();
inline int64_t NowSeconds() { return NowMicros() / 1000000; }

/// ISO 8601 in UTC with a `Z` suffix; microseconds only when non-zero, as Django REST
/// Framework prints them: "2020-01-01T12:00:00Z", "2020-01-01T12:00:00.123456Z".
std::string FormatIsoMicros(int64_t micros);

}  // namespace gridbase::util
