// Numeric field types: number, rating, boolean, autonumber, duration.
#include <fmt/format.h>

#include <cmath>
#include <regex>

#include "types/field_type.hpp"
#include "types/prop_helpers.hpp"
#include "util/decimal.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace gridbase::types {

namespace json = boost::json;

namespace number_types {

/// Input text of a JSON number or string, as Python's str() would give it.
std::optional<std::string> NumberText(const json::value& in) {
  if (in.is_int64()) return std::to_string(in.as_int64());
  if (in.is_uint64()) return std::to_string(in.as_uint64());
  if (in.is_double()) return util::PythonFloatRepr(in.as_double());
  if (in.is_string()) return std::string(util::Trim(in.as_string()));
  return std::nullopt;
}

double ToDouble(std::string_view text) { return std::strtod(std::string(text).c_str(), nullptr); }

int Places(const Field& f) { return static_cast<int>(f.IntProp("number_decimal_places", 0)); }

/// Numbers are stored as exact decimal text quantized to the field's places (never binary
/// floating point), compared and sorted through their numeric value.
class NumberType : public FieldType {
 public:
  std::string_view type() const override { return "number"; }
  std::string_view column_type() const override { return "TEXT"; }
  bool supports_unique_constraint() const override { return true; }
  void ParseProps(util::Validator& v, const Field* cur, Field& target) const override {
    if (v.Has("number_decimal_places")) {
      auto raw = *v.Raw("number_decimal_places");
      auto i = util::CoerceInt(raw);
      if (!i || *i < 0 || *i > 10 || raw.is_bool()) {
        auto shown = util::CoerceString(raw).value_or("");
        v.Fail("number_decimal_places", "\"" + shown + "\" is not a valid choice.", "invalid_choice");
      } else {
        target.props["number_decimal_places"] = *i;
      }
    } else {
      props::Keep("number_decimal_places", cur, target, 0);
    }
    props::Bool(v, "number_negative", cur, target, false);
    util::StringRule prefix;
    prefix.allow_blank = true;
    prefix.max_length = 10;
    props::String(v, "number_prefix", cur, target, "", prefix);
    util::StringRule suffix = prefix;
    suffix.max_length = 100;
    props::String(v, "number_suffix", cur, target, "", suffix);
    if (v.Has("number_separator")) {
      const auto* raw = v.Raw("number_separator");
      auto s = raw->is_string() ? std::string(raw->as_string()) : std::string("?");
      static const std::vector<std::string> kSeparators = {"", "SPACE_COMMA", "SPACE_PERIOD",
                                                           "COMMA_PERIOD", "PERIOD_COMMA"};
      if (std::find(kSeparators.begin(), kSeparators.end(), s) == kSeparators.end()) {
        v.Fail("number_separator", "\"" + s + "\" is not a valid choice.", "invalid_choice");
      } else {
        target.props["number_separator"] = s;
      }
    } else {
      props::Keep("number_separator", cur, target, "");
    }
    if (v.Has("number_default")) {
      const auto* raw = v.Raw("number_default");
      std::optional<std::string> text = raw->is_bool() ? std::nullopt : NumberText(*raw);
      // DRF's nullable DecimalField reads a blank string as null (the web-frontend sends "").
      bool blank = raw->is_string() && util::Trim(std::string_view(raw->as_string())).empty();
      if (raw->is_null() || blank) {
        target.props["number_default"] = nullptr;
      } else if (text && util::ParseDecimal(*text)) {
        target.props["number_default"] = *util::QuantizeDecimalText(*text, 20);
      } else {
        v.Fail("number_default", "A valid number is required.", "invalid");
      }
    } else {
      props::Keep("number_default", cur, target, nullptr);
    }
    if (v.Has("number_type")) {
      v.Fail("number_type", "The number_type property is no longer supported.", "invalid");
    }
  }
  void WriteProps(const Field& f, json::object& out) const override {
    out["number_decimal_places"] = f.IntProp("number_decimal_places", 0);
    out["number_negative"] = f.BoolProp("number_negative", false);
    out["number_prefix"] = f.StrProp("number_prefix", "");
    out["number_suffix"] = f.StrProp("number_suffix", "");
    out["number_separator"] = f.StrProp("number_separator", "");
    auto d = f.OptStrProp("number_default");
    if (d) out["number_default"] = util::QuantizeDecimalText(*d, 20).value_or(*d);
    else out["number_default"] = nullptr;
  }
  bool has_default_value(const Field& f) const override { return f.OptStrProp("number_default").has_value(); }
  std::optional<CellValue> Prepare(const json::value& in, const Field& f, CellError& err) const override {
    if (in.is_null()) return CellValue(std::monostate{});
    auto text = in.is_bool() ? std::nullopt : NumberText(in);
    if (text && text->empty()) return CellValue(std::monostate{});
    auto dec = text ? util::ParseDecimal(*text) : std::nullopt;
    if (!dec) {
      err.message = "A valid number is required.";
      return std::nullopt;
    }
    int places = Places(f);
    int max_digits = 50 + places;
    int n = static_cast<int>(dec->digits == "0" ? 1 : dec->digits.size());
    int total, whole, decimals;
    if (dec->exponent >= 0) {
      total = n + dec->exponent;
      whole = total;
      decimals = 0;
    } else if (n > -dec->exponent) {
      total = n;
      decimals = -dec->exponent;
      whole = total - decimals;
    } else {
      total = -dec->exponent;
      whole = 0;
      decimals = total;
    }
    if (total > max_digits) {
      err.message = fmt::format("Ensure that there are no more than {} digits in total.", max_digits);
      err.code = "max_digits";
      return std::nullopt;
    }
    if (decimals > places) {
      err.message = fmt::format("Ensure that there are no more than {} decimal places.", places);
      err.code = "max_decimal_places";
      return std::nullopt;
    }
    if (whole > 50) {
      err.message = "Ensure that there are no more than 50 digits before the decimal point.";
      err.code = "max_whole_digits";
      return std::nullopt;
    }
    std::string value = util::QuantizeDecimal(*dec, places);
    if (!f.BoolProp("number_negative", false) && value[0] == '-') {
      err.message = "Ensure this value is greater than or equal to 0.";
      err.code = "min_value";
      return std::nullopt;
    }
    return CellValue(std::move(value));
  }
  CellValue NewRowValue(const Field& f, int64_t) const override {
    if (auto d = f.OptStrProp("number_default")) {
      if (auto q = util::QuantizeDecimalText(*d, Places(f))) return *q;
    }
    return std::monostate{};
  }
  void WriteCell(const store::Cursor& c, int col, const Field&, util::JsonWriter& w) const override {
    if (c.IsNull(col)) return w.Null();
    w.String(c.Text(col));
  }
  CellValue Convert(const std::optional<std::string>& text, const store::Cursor& c, int col,
                    const Field& from, const Field& to) const override {
    if (c.IsNull(col)) return std::monostate{};
    int places = Places(to);
    std::optional<std::string> value;
    if (from.type == "number") {
      value = util::QuantizeDecimalText(c.Text(col), places);
    } else if (from.type == "duration" || from.type == "rating" || from.type == "autonumber") {
      value = util::FormatFixed(c.Real(col), places);
    } else if (from.type == "boolean") {
      value = util::QuantizeDecimalText(c.Int(col) ? "1" : "0", places);
    } else if (text) {
      value = util::QuantizeDecimalText(util::Trim(*text), places);
    }
    if (!value) return std::monostate{};
    if (!to.BoolProp("number_negative", false) && (*value)[0] == '-') value = *util::QuantizeDecimalText("0", places);
    return *value;
  }
  std::optional<std::string> TextSql(const Field& f, SqlParams&) const override { return SelectExpr(f); }
  std::string NumericSql(const Field& f) const override { return "CAST(" + SelectExpr(f) + " AS REAL)"; }
  std::optional<std::string> IndexExpr(const Field& f) const override { return "CAST(" + f.column() + " AS REAL)"; }
  std::vector<std::string> OrderSql(const Field& f, std::string_view sort_type) const override {
    if (sort_type != "default") return {};
    return {NumericSql(f)};
  }
};

class RatingType : public FieldType {
 public:
  std::string_view type() const override { return "rating"; }
  std::string_view column_type() const override { return "INTEGER NOT NULL"; }
  std::string_view column_default() const override { return "0"; }
  bool supports_unique_constraint() const override { return true; }
  void ParseProps(util::Validator& v, const Field* cur, Field& target) const override {
    props::Int(v, "max_value", cur, target, 5, 1, 10);
    util::StringRule color;
    color.max_length = 50;
    props::String(v, "color", cur, target, "dark-orange", color);
    props::Choice(v, "style", cur, target, "star", {"star", "heart", "thumbs-up", "flag", "smile"});
  }
  void WriteProps(const Field& f, json::object& out) const override {
    out["max_value"] = f.IntProp("max_value", 5);
    out["color"] = f.StrProp("color", "dark-orange");
    out["style"] = f.StrProp("style", "star");
  }
  std::optional<CellValue> Prepare(const json::value& in, const Field& f, CellError& err) const override {
    if (in.is_null()) {
      err.message = "This field may not be null.";
      err.code = "null";
      return std::nullopt;
    }
    auto i = in.is_bool() ? std::nullopt : util::CoerceInt(in);
    if (!i) {
      err.message = "A valid integer is required.";
      return std::nullopt;
    }
    int64_t max = f.IntProp("max_value", 5);
    if (*i < 0) {
      err.message = "Ensure this value is greater than or equal to 0.";
      err.code = "min_value";
      return std::nullopt;
    }
    if (*i > max) {
      err.message = fmt::format("Ensure this value is less than or equal to {}.", max);
      err.code = "max_value";
      return std::nullopt;
    }
    return CellValue(*i);
  }
  CellValue NewRowValue(const Field&, int64_t) const override { return int64_t{0}; }
  void WriteCell(const store::Cursor& c, int col, const Field&, util::JsonWriter& w) const override {
    w.Int(c.IsNull(col) ? 0 : c.Int(col));
  }
  CellValue Convert(const std::optional<std::string>& text, const store::Cursor& c, int col,
                    const Field& from, const Field& to) const override {
    double v = 0;
    if (c.IsNull(col)) return int64_t{0};
    if (from.type == "boolean") {
      v = c.Int(col) ? 1 : 0;
    } else if (from.type == "number" || from.type == "duration" || from.type == "rating" ||
               from.type == "autonumber") {
      v = c.Real(col);
    } else if (text && util::ParseDecimal(util::Trim(*text))) {
      v = ToDouble(util::Trim(*text));
    }
    if (!std::isfinite(v)) return int64_t{0};
    auto r = static_cast<int64_t>(std::floor(v + 0.5));
    return std::clamp<int64_t>(r, 0, to.IntProp("max_value", 5));
  }
  std::optional<std::string> TextSql(const Field& f, SqlParams&) const override {
    return "CAST(" + SelectExpr(f) + " AS TEXT)";
  }
  std::string EmptySql(const Field&) const override { return kSqlFalse; }
  std::string NonEmptySql(const std::string& column) const override { return column + " != 0"; }
};

const char* const kTrueWords[] = {"t", "T", "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE",
                                  "on", "On", "ON", "1", "checked"};
const char* const kFalseWords[] = {"f", "F", "n", "N", "no", "No", "NO", "false", "False", "FALSE",
                                   "off", "Off", "OFF", "0", "unchecked"};

class BooleanType : public FieldType {
 public:
  std::string_view type() const override { return "boolean"; }
  std::string_view column_type() const override { return "INTEGER NOT NULL"; }
  std::string_view column_default() const override { return "0"; }
  void ParseProps(util::Validator& v, const Field* cur, Field& target) const override {
    props::Bool(v, "boolean_default", cur, target, false);
  }
  void WriteProps(const Field& f, json::object& out) const override {
    out["boolean_default"] = f.BoolProp("boolean_default", false);
  }
  std::optional<CellValue> Prepare(const json::value& in, const Field&, CellError& err) const override {
    if (in.is_null()) {
      err.message = "This field may not be null.";
      err.code = "null";
      return std::nullopt;
    }
    if (in.is_bool()) return CellValue(int64_t{in.as_bool() ? 1 : 0});
    if (auto text = NumberText(in)) {
      for (const char* t : kTrueWords)
        if (*text == t) return CellValue(int64_t{1});
      for (const char* f : kFalseWords)
        if (*text == f) return CellValue(int64_t{0});
    }
    err.message = "Must be a valid boolean.";
    return std::nullopt;
  }
  CellValue NewRowValue(const Field& f, int64_t) const override {
    return int64_t{f.BoolProp("boolean_default", false) ? 1 : 0};
  }
  void WriteCell(const store::Cursor& c, int col, const Field&, util::JsonWriter& w) const override {
    w.Bool(!c.IsNull(col) && c.Int(col) != 0);
  }
  std::optional<std::string> CellText(const store::Cursor& c, int col, const Field&) const override {
    return std::string(!c.IsNull(col) && c.Int(col) != 0 ? "true" : "false");
  }
  CellValue Convert(const std::optional<std::string>& text, const store::Cursor& c, int col,
                    const Field& from, const Field&) const override {
    if (c.IsNull(col)) return int64_t{0};
    if (from.type == "rating") return int64_t{c.Int(col) > 0 ? 1 : 0};
    if (!text) return int64_t{0};
    std::string lower = util::ToLower(util::Trim(*text));
    for (const char* t : {"t", "y", "yes", "true", "on", "1", "checked"})
      if (lower == t) return int64_t{1};
    return int64_t{0};
  }
  std::string EmptySql(const Field& f) const override { return SelectExpr(f) + " = 0"; }
};

class AutonumberType : public FieldType {
 public:
  std::string_view type() const override { return "autonumber"; }
  bool read_only() const override { return true; }
  bool uses_sequence() const override { return true; }
  std::string_view column_type() const override { return "INTEGER"; }
  void ParseProps(util::Validator& v, const Field*, Field&) const override {
    if (const auto* view = v.Raw("view_id"); view && !view->is_null()) {
      // Views are not served by this server, so no view id can be valid.
      throw Error("ERROR_VIEW_DOES_NOT_EXIST");
    }
  }
  std::optional<CellValue> Prepare(const json::value&, const Field&, CellError& err) const override {
    err = ReadOnlyError(type());
    return std::nullopt;
  }
  CellValue NewRowValue(const Field&, int64_t sequence) const override { return sequence; }
  void WriteCell(const store::Cursor& c, int col, const Field&, util::JsonWriter& w) const override {
    if (c.IsNull(col)) w.Null();
    else w.Int(c.Int(col));
  }
  std::optional<std::string> TextSql(const Field& f, SqlParams&) const override {
    return "CAST(" + SelectExpr(f) + " AS TEXT)";
  }
};

}  // namespace number_types

const FieldType* NumberFieldType() {
  static const number_types::NumberType t;
  return &t;
}
const FieldType* RatingFieldType() {
  static const number_types::RatingType t;
  return &t;
}
const FieldType* BooleanFieldType() {
  static const number_types::BooleanType t;
  return &t;
}
const FieldType* AutonumberFieldType() {
  static const number_types::AutonumberType t;
  return &t;
}

/// Shared with query/: Baserow's boolean words (fields.md §3.8).
std::optional<bool> ParseBooleanWord(std::string_view s) {
  for (const char* t : number_types::kTrueWords)
    if (s == t) return true;
  for (const char* f : number_types::kFalseWords)
    if (s == f) return false;
  return std::nullopt;
}

/// Shared with query/: a decimal literal as a double, when it is one.
std::optional<double> ParseNumberLiteral(std::string_view s) {
  s = util::Trim(s);
  if (!util::ParseDecimal(s)) return std::nullopt;
  double v = number_types::ToDouble(s);
  if (!std::isfinite(v)) return std::nullopt;
  return v;
}

}  // namespace gridbase::types
