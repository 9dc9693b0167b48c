#include "util/dates.hpp"

#include <date/tz.h>
#include <fmt/format.h>

#include <cctype>

namespace gridbase::util {

namespace {

bool Digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

bool ValidDate(int y, int m, int d) {
  if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1) return false;
  return date::year_month_day(date::year(y), date::month(static_cast<unsigned>(m)),
                              date::day(static_cast<unsigned>(d)))
      .ok();
}

const date::time_zone* Zone(std::string_view tz) {
  if (tz.empty() || tz == "UTC") return nullptr;
  try {
    return date::locate_zone(std::string(tz));
  } catch (const std::exception&) {
    return nullptr;
  }
}

}  // namespace

int64_t DaysFromCivil(const CivilDate& d) {
  return date::sys_days(date::year(d.year) / date::month(d.month) / date::day(d.day))
      .time_since_epoch()
      .count();
}

CivilDate CivilFromDays(int64_t days) {
  date::year_month_day ymd{date::sys_days(date::days(days))};
  return CivilDate{static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                   static_cast<unsigned>(ymd.day())};
}

std::string FormatDate(const CivilDate& d) {
  return fmt::format("{:04}-{:02}-{:02}", d.year, d.month, d.day);
}

std::optional<CivilDate> ParseIsoDate(std::string_view s) {
  int y, m, d;
  if (s.size() != 10 || s[4] != '-' || s[7] != '-' || !Digits(s, 0, 4, &y) ||
      !Digits(s, 5, 2, &m) || !Digits(s, 8, 2, &d) || !ValidDate(y, m, d)) {
    return std::nullopt;
  }
  return CivilDate{y, static_cast<unsigned>(m), static_cast<unsigned>(d)};
}

std::optional<int64_t> ParseIsoDateTime(std::string_view s) {
  int y, mo, d, h, mi, sec = 0;
  if (s.size() < 16 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
      s[13] != ':' || !Digits(s, 0, 4, &y) || !Digits(s, 5, 2, &mo) || !Digits(s, 8, 2, &d) ||
      !Digits(s, 11, 2, &h) || !Digits(s, 14, 2, &mi) || !ValidDate(y, mo, d) || h > 23 || mi > 59) {
    return std::nullopt;
  }
  size_t pos = 16;
  int64_t micros = 0;
  if (pos < s.size() && s[pos] == ':') {
    if (!Digits(s, pos + 1, 2, &sec) || sec > 59) return std::nullopt;
    pos += 3;
    if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
      ++pos;
      int digits = 0;
      int64_t frac = 0;
      while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) {
        if (digits < 6) {
          frac = frac * 10 + (s[pos] - '0');
          ++digits;
        }
        ++pos;
      }
      if (digits == 0) return std::nullopt;
      while (digits < 6) {
        frac *= 10;
        ++digits;
      }
      micros = frac;
    }
  }
  int64_t offset_seconds = 0;
  if (pos < s.size()) {
    if (s[pos] == 'Z' || s[pos] == 'z') {
      ++pos;
    } else if (s[pos] == '+' || s[pos] == '-') {
      int sign = s[pos] == '-' ? -1 : 1;
      int oh, om = 0;
      if (!Digits(s, pos + 1, 2, &oh)) return std::nullopt;
      pos += 3;
      if (pos < s.size() && s[pos] == ':') ++pos;
      if (pos < s.size()) {
        if (!Digits(s, pos, 2, &om)) return std::nullopt;
        pos += 2;
      }
      if (oh > 23 || om > 59) return std::nullopt;
      offset_seconds = sign * (oh * 3600 + om * 60);
    } else {
      return std::nullopt;
    }
  }
  if (pos != s.size()) return std::nullopt;
  int64_t days = DaysFromCivil(CivilDate{y, static_cast<unsigned>(mo), static_cast<unsigned>(d)});
  int64_t secs = days * 86400 + h * 3600 + mi * 60 + sec - offset_seconds;
  return secs * 1000000 + micros;
}

std::string StoredDateTime(int64_t micros) {
  int64_t secs = micros / 1000000;
  int64_t frac = micros % 1000000;
  if (frac < 0) {
    frac += 1000000;
    --secs;
  }
  int64_t days = secs / 86400;
  int64_t sod = secs % 86400;
  if (sod < 0) {
    sod += 86400;
    --days;
  }
  CivilDate d = CivilFromDays(days);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}", d.year, d.month, d.day, sod / 3600,
                     (sod / 60) % 60, sod % 60, frac);
}

std::optional<int64_t> ParseStoredDateTime(std::string_view s) { return ParseIsoDateTime(s); }

bool IsKnownTimeZone(std::string_view tz) {
  if (tz == "UTC") return true;
  return Zone(tz) != nullptr;
}

CivilDate LocalDate(int64_t micros, std::string_view tz) {
  int64_t secs = micros >= 0 ? micros / 1000000 : -((-micros + 999999) / 1000000);
  const date::time_zone* zone = Zone(tz);
  if (zone) {
    auto info = zone->get_info(date::sys_seconds(std::chrono::seconds(secs)));
    secs += info.offset.count();
  }
  int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
  return CivilFromDays(days);
}

int64_t LocalSecondsOfDay(int64_t micros, std::string_view tz) {
  int64_t secs = micros >= 0 ? micros / 1000000 : -((-micros + 999999) / 1000000);
  const date::time_zone* zone = Zone(tz);
  if (zone) {
    auto info = zone->get_info(date::sys_seconds(std::chrono::seconds(secs)));
    secs += info.offset.count();
  }
  int64_t sod = secs % 86400;
  return sod < 0 ? sod + 86400 : sod;
}

int64_t LocalMidnightUtc(const CivilDate& d, std::string_view tz) {
  int64_t local = DaysFromCivil(d) * 86400;
  const date::time_zone* zone = Zone(tz);
  if (!zone) return local * 1000000;
  auto info = zone->get_info(date::local_seconds(std::chrono::seconds(local)));
  auto offset = info.first.offset.count();
  return (local - offset) * 1000000;
}

std::string FormatDateDisplay(const CivilDate& d, std::optional<int64_t> seconds_of_day, std::string_view date_format,
                              std::string_view time_format) {
  std::string out;
  if (date_format == "US") out = fmt::format("{:02}/{:02}/{:04}", d.month, d.day, d.year);
  else if (date_format == "ISO") out = fmt::format("{:04}-{:02}-{:02}", d.year, d.month, d.day);
  else out = fmt::format("{:02}/{:02}/{:04}", d.day, d.month, d.year);
  if (seconds_of_day) {
    int64_t h = *seconds_of_day / 3600, m = (*seconds_of_day / 60) % 60;
    if (time_format == "12") {
      int64_t h12 = h % 12 == 0 ? 12 : h % 12;
      out += fmt::format(" {:02}:{:02} {}", h12, m, h < 12 ? "AM" : "PM");
    } else {
      out += fmt::format(" {:02}:{:02}", h, m);
    }
  }
  return out;
}

}  // namespace gridbase::util
