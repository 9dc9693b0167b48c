// Date field types: date, last_modified, created_on.
#include <fmt/format.h>

#include "types/field_type.hpp"
#include "types/prop_helpers.hpp"
#include "util/dates.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

namespace gridbase::types {

namespace json = boost::json;

namespace date_types {

struct DateProps {
  std::string format;  // EU, US, ISO
  bool include_time;
  std::string time_format;  // 24, 12
  std::string tz;           // forced timezone or ""
};

DateProps Props(const Field& f) {
  return DateProps{f.StrProp("date_format", "EU"), f.BoolProp("date_include_time", false),
                   f.StrProp("date_time_format", "24"), f.OptStrProp("date_force_timezone").value_or("")};
}

std::string FormatText(const util::CivilDate& d, std::optional<int64_t> seconds_of_day, const DateProps& p) {
  return util::FormatDateDisplay(d, p.include_time ? seconds_of_day : std::nullopt, p.format, p.time_format);
}

/// SQL text of a date cell formatted like FormatText, through gb_format_date (one call, so
/// every parameter is bound once).
std::string FormatSql(const std::string& expr, const DateProps& p, SqlParams& params) {
  // One statement per parameter: the operands of `+` are not evaluated in a fixed order.
  std::string sql = "gb_format_date(" + expr + ", ";
  sql += Param(params, p.tz);
  sql += ", ";
  sql += Param(params, p.format);
  sql += ", ";
  sql += Param(params, int64_t{p.include_time ? 1 : 0});
  sql += ", ";
  sql += Param(params, p.time_format);
  return sql + ")";
}

/// Parses text into a date with the target field's format (fields.md §6 "→ date").
std::optional<int64_t> ParseWithFormat(std::string_view raw, const DateProps& p) {
  std::string s(util::Trim(raw));
  if (s.size() < 5) return std::nullopt;
  if (auto iso = util::ParseIsoDateTime(s)) return iso;
  if (auto d = util::ParseIsoDate(s)) return util::DaysFromCivil(*d) * 86400 * int64_t{1000000};
  // D/M/Y or M/D/Y (also with '-' or '.'), optional " HH:MM[:SS]".
  int a, b, c, h = 0, mi = 0, sec = 0;
  char s1, s2;
  int consumed = 0;
  if (std::sscanf(s.c_str(), "%d%c%d%c%d%n", &a, &s1, &b, &s2, &c, &consumed) == 5 &&
      (s1 == '/' || s1 == '-' || s1 == '.') && s1 == s2) {
    std::string rest(util::Trim(std::string_view(s).substr(static_cast<size_t>(consumed))));
    if (!rest.empty() && std::sscanf(rest.c_str(), "%d:%d:%d", &h, &mi, &sec) < 2) return std::nullopt;
    int y, mo, d;
    if (p.format == "US") { mo = a; d = b; y = c; }
    else if (p.format == "ISO") { y = a; mo = b; d = c; }
    else { d = a; mo = b; y = c; }
    auto date = util::ParseIsoDate(fmt::format("{:04}-{:02}-{:02}", y, mo, d));
    if (!date || h > 23 || mi > 59 || sec > 59) return std::nullopt;
    return (util::DaysFromCivil(*date) * 86400 + h * 3600 + mi * 60 + sec) * int64_t{1000000};
  }
  return std::nullopt;
}

void ParseDateProps(util::Validator& v, const Field* cur, Field& target) {
  props::Choice(v, "date_format", cur, target, "EU", {"EU", "US", "ISO"});
  props::Bool(v, "date_include_time", cur, target, false);
  props::Choice(v, "date_time_format", cur, target, "24", {"24", "12"});
  props::Bool(v, "date_show_tzinfo", cur, target, false);
  util::StringRule tz;
  tz.allow_null = true;
  tz.max_length = 255;
  if (v.Has("date_force_timezone")) {
    const auto* raw = v.Raw("date_force_timezone");
    if (raw->is_null()) target.props["date_force_timezone"] = nullptr;
    else if (auto s = v.String("date_force_timezone", tz)) target.props["date_force_timezone"] = *s;
  } else {
    props::Keep("date_force_timezone", cur, target, nullptr);
  }
}

void WriteDateProps(const Field& f, json::object& out) {
  out["date_format"] = f.StrProp("date_format", "EU");
  out["date_include_time"] = f.BoolProp("date_include_time", false);
  out["date_time_format"] = f.StrProp("date_time_format", "24");
  out["date_show_tzinfo"] = f.BoolProp("date_show_tzinfo", false);
  if (auto tz = f.OptStrProp("date_force_timezone")) out["date_force_timezone"] = *tz;
  else out["date_force_timezone"] = nullptr;
}

class DateType : public FieldType {
 public:
  std::string_view type() const override { return "date"; }
  std::string_view column_type() const override { return "TEXT"; }
  bool supports_unique_constraint() const override { return true; }
  void ParseProps(util::Validator& v, const Field* cur, Field& target) const override {
    ParseDateProps(v, cur, target);
    if (const auto* offset = v.Raw("date_force_timezone_offset"); offset && !offset->is_null()) {
      auto minutes = util::CoerceInt(*offset);
      if (!cur || !target.BoolProp("date_include_time", false) || !minutes) {
        throw Error("ERROR_DATE_FORCE_TIMEZONE_OFFSET_ERROR");
      }
      target.props["_shift_minutes"] = *minutes;  // applied to the data by the field service
    }
  }
  void WriteProps(const Field& f, json::object& out) const override { WriteDateProps(f, out); }
  std::optional<CellValue> Prepare(const json::value& in, const Field& f, CellError& err) const override {
    if (in.is_null()) return CellValue(std::monostate{});
    bool with_time = f.BoolProp("date_include_time", false);
    if (in.is_string()) {
      std::string_view s = in.as_string();
      if (!with_time) {
        if (auto d = util::ParseIsoDate(s)) return CellValue(util::FormatDate(*d));
      } else if (auto t = util::ParseIsoDateTime(s)) {
        return CellValue(util::StoredDateTime(*t));
      }
    }
    err.message = with_time
                      ? "Datetime has wrong format. Use one of these formats instead: "
                        "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."
                      : "Date has wrong format. Use one of these formats instead: YYYY-MM-DD.";
    return std::nullopt;
  }
  void WriteCell(const store::Cursor& c, int col, const Field& f, util::JsonWriter& w) const override {
    if (c.IsNull(col)) return w.Null();
    std::string_view s = c.Text(col);
    if (!f.BoolProp("date_include_time", false)) return w.String(s.substr(0, 10));
    auto micros = util::ParseStoredDateTime(s);
    if (!micros) return w.Null();
    w.String(util::FormatIsoMicros(*micros));
  }
  std::optional<std::string> CellText(const store::Cursor& c, int col, const Field& f) const override {
    if (c.IsNull(col)) return std::nullopt;
    auto p = Props(f);
    std::string_view s = c.Text(col);
    if (!p.include_time) {
      auto d = util::ParseIsoDate(s.substr(0, 10));
      if (!d) return std::nullopt;
      return FormatText(*d, std::nullopt, p);
    }
    auto micros = util::ParseStoredDateTime(s);
    if (!micros) return std::nullopt;
    return FormatText(util::LocalDate(*micros, p.tz), util::LocalSecondsOfDay(*micros, p.tz), p);
  }
  CellValue Convert(const std::optional<std::string>& text, const store::Cursor& c, int col,
                    const Field& from, const Field& to) const override {
    if (c.IsNull(col)) return std::monostate{};
    auto p = Props(to);
    std::optional<int64_t> micros;
    bool from_date_only = false;
    if (from.type == "date") {
      std::string_view s = c.Text(col);
      if (from.BoolProp("date_include_time", false)) {
        micros = util::ParseStoredDateTime(s);
      } else if (auto d = util::ParseIsoDate(s.substr(0, std::min<size_t>(10, s.size())))) {
        micros = util::DaysFromCivil(*d) * 86400 * int64_t{1000000};
        from_date_only = true;
      }
    } else if (from.type == "created_on" || from.type == "last_modified") {
      micros = c.Int(col);
    } else if (text) {
      micros = ParseWithFormat(*text, p);
    }
    if (!micros) return std::monostate{};
    if (p.include_time) return util::StoredDateTime(*micros);
    // Truncating a date-time keeps the date in the forced time zone, else UTC.
    return util::FormatDate(from_date_only ? util::LocalDate(*micros, "") : util::LocalDate(*micros, p.tz));
  }
  std::optional<std::string> TextSql(const Field& f, SqlParams& params) const override {
    return FormatSql(SelectExpr(f), Props(f), params);
  }
  DateStorage date_storage(const Field& f) const override {
    return f.BoolProp("date_include_time", false) ? DateStorage::kDateTimeText : DateStorage::kDateText;
  }
};

/// created_on / last_modified: the row's own timestamps, formatted like a date field.
class RowTimestampType : public FieldType {
 public:
  RowTimestampType(std::string_view type, std::string_view column) : type_(type), column_(column) {}
  std::string_view type() const override { return type_; }
  bool read_only() const override { return true; }
  std::string_view column_type() const override { return {}; }
  void ParseProps(util::Validator& v, const Field* cur, Field& target) const override {
    ParseDateProps(v, cur, target);
  }
  void WriteProps(const Field& f, json::object& out) const override { WriteDateProps(f, out); }
  std::optional<CellValue> Prepare(const json::value&, const Field&, CellError& err) const override {
    err = ReadOnlyError(type_);
    return std::nullopt;
  }
  std::string SelectExpr(const Field&) const override { return "t." + std::string(column_); }
  void WriteCell(const store::Cursor& c, int col, const Field& f, util::JsonWriter& w) const override {
    int64_t micros = c.Int(col);
    if (f.BoolProp("date_include_time", false)) return w.String(util::FormatIsoMicros(micros));
    w.String(util::FormatDate(util::LocalDate(micros, "")));
  }
  std::optional<std::string> CellText(const store::Cursor& c, int col, const Field& f) const override {
    auto p = Props(f);
    int64_t micros = c.Int(col);
    return FormatText(util::LocalDate(micros, p.tz), util::LocalSecondsOfDay(micros, p.tz), p);
  }
  std::optional<std::string> TextSql(const Field& f, SqlParams& params) const override {
    return FormatSql(SelectExpr(f), Props(f), params);
  }
  DateStorage date_storage(const Field&) const override { return DateStorage::kMicros; }

 private:
  std::string_view type_;
  std::string_view column_;
};

}  // namespace date_types

const FieldType* DateFieldType() {
  static const date_types::DateType t;
  return &t;
}
const FieldType* LastModifiedFieldType() {
  static const date_types::RowTimestampType t("last_modified", "updated_on");
  return &t;
}
const FieldType* CreatedOnFieldType() {
  static const date_types::RowTimestampType t("created_on", "created_on");
  return &t;
}

}  // namespace gridbase::types
