// The duration field type and Baserow's duration formats.
#include <fmt/format.h>

#include <cmath>
#include <regex>

#include "types/duration.hpp"
#include "types/field_type.hpp"
#include "types/prop_helpers.hpp"
#include "util/strings.hpp"

namespace gridbase::types {

namespace json = boost::json;

namespace duration_types {

const std::vector<std::string>& Formats() {
  static const std::vector<std::string> kFormats = {"h:mm",   "h:mm:ss",  "h:mm:ss.s", "h:mm:ss.ss",
                                                    "h:mm:ss.sss", "d h", "d h:mm", "d h:mm:ss",
                                                    "d h mm", "d h mm ss"};
  return kFormats;
}

/// Seconds per unit of precision: 60 for minute formats, 3600 for "d h", etc.
double Precision(std::string_view f) {
  if (f == "h:mm" || f == "d h:mm" || f == "d h mm") return 60;
  if (f == "d h") return 3600;
  if (f == "h:mm:ss.s") return 0.1;
  if (f == "h:mm:ss.ss") return 0.01;
  if (f == "h:mm:ss.sss") return 0.001;
  return 1;
}

/// Unit of a bare number N in text input: minutes, hours or seconds by format.
double BareUnit(std::string_view f) {
  if (f == "h:mm" || f == "d h:mm" || f == "d h mm") return 60;
  if (f == "d h") return 3600;
  return 1;
}

bool HourMinuteFormat(std::string_view f) {
  return f == "h:mm" || f == "d h" || f == "d h:mm" || f == "d h mm";
}

double Num(const std::ssub_match& m) { return m.matched && m.length() > 0 ? std::stod(m.str()) : 0; }

}  // namespace duration_types

bool IsDurationFormat(std::string_view format) {
  const auto& f = duration_types::Formats();
  return std::find(f.begin(), f.end(), format) != f.end();
}

double RoundDuration(double seconds, std::string_view format) {
  double p = duration_types::Precision(format);
  double r = std::floor(seconds / p + 0.5) * p;
  if (p < 1) r = std::round(r / p) * p;  // strip float noise of 0.1-steps
  double decimals = p == 0.1 ? 1 : p == 0.01 ? 2 : p == 0.001 ? 3 : 0;
  if (decimals > 0) {
    double scale = std::pow(10.0, decimals);
    r = std::round(r * scale) / scale;
  }
  return r == 0 ? 0.0 : r;
}

std::optional<double> ParseDuration(std::string_view raw, std::string_view format) {
  using duration_types::Num;
  std::string s(util::Trim(raw));
  if (s.empty()) return std::nullopt;
  double sign = 1;
  if (s[0] == '-') {
    sign = -1;
    s = std::string(util::Trim(std::string_view(s).substr(1)));
    if (s.empty()) return std::nullopt;
  }
  std::smatch m;
  auto done = [&](double secs) -> std::optional<double> { return RoundDuration(sign * secs, format); };
  // Plain seconds.
  static const std::regex kPlain(R"(^\d+(\.\d+)?$)");
  static const std::regex kTokens(R"(^(?:(\d+)\s*d)?\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*m)?\s*(?:(\d+(?:\.\d+)?)\s*s)?$)",
                                  std::regex::icase);
  static const std::regex kDhms(R"(^(?:(\d+)\s*d?\s+)?(\d+):(\d{1,2}):(\d{1,2}(?:\.\d+)?)$)", std::regex::icase);
  static const std::regex kDh(R"(^(?:(\d+)\s*d?\s+)?(\d+)\s*h$)", std::regex::icase);
  static const std::regex kDays(R"(^(\d+)\s*d$)", std::regex::icase);
  static const std::regex kDab(R"(^(?:(\d+)\s*d?\s+)?(\d+):(\d{1,2})$)", std::regex::icase);
  static const std::regex kMsf(R"(^(\d+):(\d{1,2}\.\d+)$)");
  static const std::regex kDn(R"(^(\d+)\s*d?\s+(\d+)$)", std::regex::icase);
  if (std::regex_match(s, kPlain)) return done(std::stod(s));
  if (std::regex_match(s, m, kDhms)) {
    return done(Num(m[1]) * 86400 + Num(m[2]) * 3600 + Num(m[3]) * 60 + Num(m[4]));
  }
  if (std::regex_match(s, m, kDh)) return done(Num(m[1]) * 86400 + Num(m[2]) * 3600);
  if (std::regex_match(s, m, kDays)) return done(Num(m[1]) * 86400);
  if (std::regex_match(s, m, kMsf)) return done(Num(m[1]) * 60 + Num(m[2]));
  if (std::regex_match(s, m, kDab)) {
    double a = Num(m[2]), b = Num(m[3]);
    double base = Num(m[1]) * 86400;
    if (duration_types::HourMinuteFormat(format)) return done(base + a * 3600 + b * 60);
    return done(base + a * 60 + b);
  }
  if (std::regex_match(s, m, kDn)) {
    return done(Num(m[1]) * 86400 + Num(m[2]) * duration_types::BareUnit(format));
  }
  if (std::regex_match(s, m, kTokens) && (m[1].matched || m[2].matched || m[3].matched || m[4].matched)) {
    return done(Num(m[1]) * 86400 + Num(m[2]) * 3600 + Num(m[3]) * 60 + Num(m[4]));
  }
  return std::nullopt;
}

std::string FormatDuration(double seconds, std::string_view format) {
  double rounded = RoundDuration(seconds, format);
  std::string sign = rounded < 0 ? "-" : "";
  double a = std::fabs(rounded);
  auto total = static_cast<int64_t>(std::floor(a + 1e-9));
  double frac = a - static_cast<double>(total);
  int64_t days = total / 86400, hours = (total % 86400) / 3600, minutes = (total % 3600) / 60,
          secs = total % 60;
  int64_t all_hours = total / 3600;
  if (format == "h:mm") return fmt::format("{}{}:{:02}", sign, all_hours, minutes);
  if (format == "h:mm:ss") return fmt::format("{}{}:{:02}:{:02}", sign, all_hours, minutes, secs);
  if (format == "h:mm:ss.s" || format == "h:mm:ss.ss" || format == "h:mm:ss.sss") {
    int places = static_cast<int>(format.size() - std::string_view("h:mm:ss.").size());
    std::string f = fmt::format("{:.{}f}", frac, places);  // "0.5"
    return fmt::format("{}{}:{:02}:{:02}{}", sign, all_hours, minutes, secs, f.substr(1));
  }
  if (format == "d h") return fmt::format("{}{}d {}h", sign, days, hours);
  if (format == "d h:mm") return fmt::format("{}{}d {}:{:02}", sign, days, hours, minutes);
  if (format == "d h:mm:ss") return fmt::format("{}{}d {}:{:02}:{:02}", sign, days, hours, minutes, secs);
  if (format == "d h mm") return fmt::format("{}{}d {}h {}m", sign, days, hours, minutes);
  return fmt::format("{}{}d {}h {}m {}s", sign, days, hours, minutes, secs);
}

namespace duration_types {

class DurationType : public FieldType {
 public:
  std::string_view type() const override { return "duration"; }
  std::string_view column_type() const override { return "REAL"; }
  bool supports_unique_constraint() const override { return true; }
  bool supports_db_index() const override { return false; }
  void ParseProps(util::Validator& v, const Field* cur, Field& target) const override {
    props::Choice(v, "duration_format", cur, target, "h:mm", Formats());
  }
  void WriteProps(const Field& f, json::object& out) const override {
    out["duration_format"] = f.StrProp("duration_format", "h:mm");
  }
  std::optional<CellValue> Prepare(const json::value& in, const Field& f, CellError& err) const override {
    if (in.is_null()) return CellValue(std::monostate{});
    std::string format = f.StrProp("duration_format", "h:mm");
    if (in.is_number() && !in.is_bool()) return CellValue(RoundDuration(in.to_number<double>(), format));
    if (in.is_string()) {
      if (auto secs = ParseDuration(in.as_string(), format)) return CellValue(*secs);
      err.message = fmt::format("The value {} is not a valid duration.", std::string_view(in.as_string()));
      return std::nullopt;
    }
    err.message = "The value is not a valid duration.";
    return std::nullopt;
  }
  void WriteCell(const store::Cursor& c, int col, const Field&, util::JsonWriter& w) const override {
    if (c.IsNull(col)) w.Null();
    else w.PyFloat(c.Real(col));
  }
  std::optional<std::string> CellText(const store::Cursor& c, int col, const Field& f) const override {
    if (c.IsNull(col)) return std::nullopt;
    return FormatDuration(c.Real(col), f.StrProp("duration_format", "h:mm"));
  }
  CellValue Convert(const std::optional<std::string>& text, const store::Cursor& c, int col,
                    const Field& from, const Field& to) const override {
    std::string format = to.StrProp("duration_format", "h:mm");
    if (c.IsNull(col)) return std::monostate{};
    if (from.type == "duration" || from.type == "number" || from.type == "rating" ||
        from.type == "autonumber") {
      return RoundDuration(c.Real(col), format);
    }
    if (!text) return std::monostate{};
    if (auto secs = ParseDuration(*text, format)) return *secs;
    return std::monostate{};
  }
};

}  // namespace duration_types

const FieldType* DurationFieldType() {
  static const duration_types::DurationType t;
  return &t;
}

}  // namespace gridbase::types
