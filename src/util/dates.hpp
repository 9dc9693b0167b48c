#pragma once
// Calendar helpers: strict ISO parsing, the fixed-width stored form of date-times, and time
// zone conversions through Howard Hinnant's date library (the system tz database).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gridbase::util {

struct CivilDate {
  int year = 1970;
  unsigned month = 1;
  unsigned day = 1;
  bool operator==(const CivilDate&) const = default;
};

int64_t DaysFromCivil(const CivilDate& d);
CivilDate CivilFromDays(int64_t days);
std::string FormatDate(const CivilDate& d);  // YYYY-MM-DD

/// Strict "YYYY-MM-DD".
std::optional<CivilDate> ParseIsoDate(std::string_view s);
/// ISO 8601 date-time: "YYYY-MM-DD[T ]HH:MM[:SS[.f…]]" with optional "Z" or "±HH[:]MM";
/// a naive value is UTC. Returns microseconds since the epoch.
std::optional<int64_t> ParseIsoDateTime(std::string_view s);

/// Stored form of a date-time cell: "YYYY-MM-DDTHH:MM:SS.ffffff" (UTC, fixed width, so text
/// order is time order).
std::string StoredDateTime(int64_t micros);
std::optional<int64_t> ParseStoredDateTime(std::string_view s);

/// True when `tz` names a zone of the tz database.
bool IsKnownTimeZone(std::string_view tz);
/// The local calendar date of an instant in `tz` (UTC when empty or unknown).
CivilDate LocalDate(int64_t micros, std::string_view tz);
/// Seconds of the day of an instant in `tz`.
int64_t LocalSecondsOfDay(int64_t micros, std::string_view tz);
/// The UTC instant of local midnight of `d` in `tz`.
int64_t LocalMidnightUtc(const CivilDate& d, std::string_view tz);

/// A date as Baserow's text conversion prints it: `date_format` EU (DD/MM/YYYY), US
/// (MM/DD/YYYY) or ISO (YYYY-MM-DD), plus " HH:MM" (24) or " HH:MM AM" (12) when the
/// seconds of the day are given.
std::string FormatDateDisplay(const CivilDate& d, std::optional<int64_t> seconds_of_day, std::string_view date_format,
                              std::string_view time_format);

}  // namespace gridbase::util
