// Text-like field types: text, long_text, url, email, phone_number, uuid, password.
#include <regex>

#include "types/field_type.hpp"
#include "types/prop_helpers.hpp"
#include "util/crypto.hpp"

namespace gridbase::types {

namespace json = boost::json;

namespace text_types {

std::optional<CellValue> PrepareString(const json::value& in, CellError& err) {
  if (in.is_null()) return CellValue(std::monostate{});
  auto s = util::CoerceString(in);
  if (!s) {
    err.message = "Not a valid string.";
    return std::nullopt;
  }
  return CellValue(std::move(*s));
}

void WriteNullableString(const store::Cursor& c, int col, util::JsonWriter& w) {
  if (c.IsNull(col)) w.Null();
  else w.String(c.Text(col));
}

std::string EmptyText(const std::string& expr) { return "(" + expr + " IS NULL OR " + expr + " = '')"; }

using util::NewUuid;

/// Query behaviour shared by text-like types: searched as is, sorted case-insensitively,
/// empty when NULL or "".
class TextLikeType : public FieldType {
 public:
  std::optional<std::string> TextSql(const Field& f, SqlParams&) const override { return SelectExpr(f); }
  std::vector<std::string> OrderSql(const Field& f, std::string_view sort_type) const override {
    if (sort_type != "default") return {};
    return {SelectExpr(f) + " COLLATE NOCASE"};
  }
  std::string EmptySql(const Field& f) const override { return EmptyText(SelectExpr(f)); }
  std::string NonEmptySql(const std::string& column) const override {
    return "(" + column + " IS NOT NULL AND " + column + " != '')";
  }
  std::optional<std::string> IndexExpr(const Field& f) const override { return f.column() + " COLLATE NOCASE"; }
};

class TextType : public TextLikeType {
 public:
  std::string_view type() const override { return "text"; }
  std::string_view column_type() const override { return "TEXT"; }
  bool supports_unique_constraint() const override { return true; }
  void ParseProps(util::Validator& v, const Field* cur, Field& target) const override {
    util::StringRule rule;
    rule.allow_blank = true;
    rule.max_length = 255;
    rule.trim = false;
    props::String(v, "text_default", cur, target, "", rule);
  }
  void WriteProps(const Field& f, json::object& out) const override {
    out["text_default"] = f.StrProp("text_default", "");
  }
  bool has_default_value(const Field& f) const override { return !f.StrProp("text_default", "").empty(); }
  std::optional<CellValue> Prepare(const json::value& in, const Field&, CellError& err) const override {
    return PrepareString(in, err);
  }
  CellValue NewRowValue(const Field& f, int64_t) const override {
    std::string d = f.StrProp("text_default", "");
    if (d.empty()) return std::monostate{};
    return d;
  }
  void WriteCell(const store::Cursor& c, int col, const Field&, util::JsonWriter& w) const override {
    WriteNullableString(c, col, w);
  }
};

class LongTextType : public TextType {
 public:
  std::string_view type() const override { return "long_text"; }
  bool can_be_primary(const Field& f) const override {
    return !f.BoolProp("long_text_enable_rich_text", false);
  }
  void ParseProps(util::Validator& v, const Field* cur, Field& target) const override {
    props::Bool(v, "long_text_enable_rich_text", cur, target, false);
  }
  void WriteProps(const Field& f, json::object& out) const override {
    out["long_text_enable_rich_text"] = f.BoolProp("long_text_enable_rich_text", false);
  }
  bool has_default_value(const Field&) const override { return false; }
  CellValue NewRowValue(const Field&, int64_t) const override { return std::monostate{}; }
};

/// url, email, phone_number: text that must match a pattern; empty is stored as "".
class PatternTextType : public TextLikeType {
 public:
  PatternTextType(std::string_view type, const char* pattern, std::string message, size_t max_length)
      : type_(type), regex_(pattern, std::regex::ECMAScript | std::regex::icase),
        message_(std::move(message)), max_length_(max_length) {}
  std::string_view type() const override { return type_; }
  std::string_view column_type() const override { return "TEXT"; }
  std::string_view column_default() const override { return "''"; }
  bool supports_unique_constraint() const override { return type_ != "phone_number"; }
  std::optional<CellValue> Prepare(const json::value& in, const Field&, CellError& err) const override {
    if (in.is_null()) return CellValue(std::string());
    auto s = util::CoerceString(in);
    if (!s) {
      err.message = "Not a valid string.";
      return std::nullopt;
    }
    if (s->empty()) return CellValue(std::string());
    if (s->size() > max_length_) {
      err.message = "Ensure this field has no more than " + std::to_string(max_length_) + " characters.";
      err.code = "max_length";
      return std::nullopt;
    }
    if (!std::regex_match(*s, regex_)) {
      err.message = message_;
      return std::nullopt;
    }
    return CellValue(std::move(*s));
  }
  CellValue NewRowValue(const Field&, int64_t) const override { return std::string(); }
  void WriteCell(const store::Cursor& c, int col, const Field&, util::JsonWriter& w) const override {
    w.String(c.IsNull(col) ? std::string_view() : c.Text(col));
  }
  CellValue Convert(const std::optional<std::string>& text, const store::Cursor&, int, const Field&,
                    const Field&) const override {
    if (!text || text->size() > max_length_ || !std::regex_match(*text, regex_)) return std::string();
    return *text;
  }

 private:
  std::string_view type_;
  std::regex regex_;
  std::string message_;
  size_t max_length_;
};

class UuidType : public FieldType {
 public:
  std::string_view type() const override { return "uuid"; }
  bool read_only() const override { return true; }
  std::string_view column_type() const override { return "TEXT"; }
  std::optional<CellValue> Prepare(const json::value&, const Field&, CellError& err) const override {
    err = ReadOnlyError(type());
    return std::nullopt;
  }
  CellValue NewRowValue(const Field&, int64_t) const override { return NewUuid(); }
  CellValue Convert(const std::optional<std::string>&, const store::Cursor&, int, const Field&,
                    const Field&) const override {
    return NewUuid();
  }
  void WriteCell(const store::Cursor& c, int col, const Field&, util::JsonWriter& w) const override {
    WriteNullableString(c, col, w);
  }
  std::optional<std::string> TextSql(const Field& f, SqlParams&) const override { return SelectExpr(f); }
};

class PasswordType : public FieldType {
 public:
  std::string_view type() const override { return "password"; }
  std::string_view column_type() const override { return "TEXT"; }
  bool can_be_primary(const Field&) const override { return false; }
  bool sortable() const override { return false; }
  bool can_unique_values() const override { return false; }
  bool supports_db_index() const override { return false; }
  void ParseProps(util::Validator& v, const Field* cur, Field& target) const override {
    props::Bool(v, "allow_endpoint_authentication", cur, target, false);
  }
  void WriteProps(const Field& f, json::object& out) const override {
    out["allow_endpoint_authentication"] = f.BoolProp("allow_endpoint_authentication", false);
  }
  bool keeps_current(const json::value& in) const override { return in.is_bool() && in.as_bool(); }
  std::optional<CellValue> Prepare(const json::value& in, const Field&, CellError& err) const override {
    if (in.is_null()) return CellValue(std::monostate{});
    if (in.is_string()) {
      if (in.as_string().empty()) return CellValue(std::monostate{});
      return CellValue(util::HashPassword(std::string_view(in.as_string())));
    }
    err.message = "Not a valid string.";
    return std::nullopt;
  }
  void WriteCell(const store::Cursor& c, int col, const Field&, util::JsonWriter& w) const override {
    if (c.IsNull(col)) w.Null();
    else w.Bool(true);
  }
  std::optional<std::string> CellText(const store::Cursor&, int, const Field&) const override {
    return std::nullopt;
  }
  CellValue Convert(const std::optional<std::string>&, const store::Cursor&, int, const Field&,
                    const Field&) const override {
    return std::monostate{};
  }
};

}  // namespace text_types

const FieldType* TextFieldType() {
  static const text_types::TextType t;
  return &t;
}
const FieldType* LongTextFieldType() {
  static const text_types::LongTextType t;
  return &t;
}
const FieldType* UrlFieldType() {
  static const text_types::PatternTextType t("url", R"(^[^\s]{0,255}(?:\.|//)[^\s]{1,}$)",
                                             "Enter a valid URL.", 2000);
  return &t;
}
const FieldType* EmailFieldType() {
  static const text_types::PatternTextType t(
      "email", R"(^[-\.\[\]!#$&*+/=?^_`{|}~\w]+@[-\.\[\]!#$&*+/=?^_`{|}~\w]+$)",
      "Enter a valid email address.", 254);
  return &t;
}
const FieldType* PhoneNumberFieldType() {
  static const text_types::PatternTextType t("phone_number", R"(^[0-9NnXx,+._*()#=;/ -]{1,100}$)",
                                             "Enter a valid value.", 100);
  return &t;
}
const FieldType* UuidFieldType() {
  static const text_types::UuidType t;
  return &t;
}
const FieldType* PasswordFieldType() {
  static const text_types::PasswordType t;
  return &t;
}

}  // namespace gridbase::types
