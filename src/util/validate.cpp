#include "util/validate.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>

#include "util/error.hpp"
#include "util/strings.hpp"

namespace gridbase::util {

namespace json = boost::json;

namespace {

/// Python's repr of a float as str() prints it, enough for coercing a JSON number.
std::string PythonFloat(double d) {
  if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 1e16) {
    return fmt::format("{:.1f}", d);
  }
  return fmt::format("{}", d);
}

size_t Utf8Length(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

}  // namespace

std::string_view Validator::PythonType(const json::value& v) {
  switch (v.kind()) {
    case json::kind::array: return "list";
    case json::kind::object: return "dict";
    case json::kind::string: return "str";
    case json::kind::bool_: return "bool";
    case json::kind::double_: return "float";
    case json::kind::null: return "NoneType";
    default: return "int";
  }
}

std::optional<std::string> CoerceString(const json::value& v) {
  switch (v.kind()) {
    case json::kind::string: return std::string(v.as_string());
    case json::kind::int64: return std::to_string(v.as_int64());
    case json::kind::uint64: return std::to_string(v.as_uint64());
    case json::kind::double_: return PythonFloat(v.as_double());
    default: return std::nullopt;
  }
}

std::optional<bool> CoerceBool(const json::value& v) {
  if (v.is_bool()) return v.as_bool();
  if (v.is_int64()) {
    if (v.as_int64() == 1) return true;
    if (v.as_int64() == 0) return false;
    return std::nullopt;
  }
  if (v.is_uint64()) {
    if (v.as_uint64() == 1) return true;
    if (v.as_uint64() == 0) return false;
    return std::nullopt;
  }
  if (v.is_double()) {
    if (v.as_double() == 1.0) return true;
    if (v.as_double() == 0.0) return false;
    return std::nullopt;
  }
  if (v.is_string()) {
    static const char* kTrue[] = {"true", "True", "TRUE", "t", "T", "y", "Y", "yes", "Yes", "YES",
                                  "on", "On", "ON", "1"};
    static const char* kFalse[] = {"false", "False", "FALSE", "f", "F", "n", "N", "no", "No", "NO",
                                   "off", "Off", "OFF", "0"};
    std::string_view s = v.as_string();
    for (const char* t : kTrue)
      if (s == t) return true;
    for (const char* f : kFalse)
      if (s == f) return false;
  }
  return std::nullopt;
}

std::optional<int64_t> CoerceInt(const json::value& v) {
  if (v.is_int64()) return v.as_int64();
  if (v.is_uint64()) {
    if (v.as_uint64() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
    return static_cast<int64_t>(v.as_uint64());
  }
  if (v.is_double()) {
    double d = v.as_double();
    if (!std::isfinite(d) || d != std::floor(d) || std::fabs(d) > 9e18) return std::nullopt;
    return static_cast<int64_t>(d);
  }
  if (v.is_string()) {
    std::string_view s = util::Trim(v.as_string());
    // DRF strips a trailing ".0…" before int().
    size_t dot = s.find('.');
    if (dot != std::string_view::npos) {
      for (char c : s.substr(dot + 1))
        if (c != '0') return std::nullopt;
      s = s.substr(0, dot);
    }
    if (!s.empty() && s.front() == '+') s.remove_prefix(1);
    int64_t out = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
    return out;
  }
  return std::nullopt;
}

Validator::Validator(const json::value& body) {
  if (body.is_object()) {
    obj_ = &body.as_object();
  } else {
    FailNonField(fmt::format("Invalid data. Expected a dictionary, but got {}.", PythonType(body)),
                 "invalid");
  }
}

bool Validator::Has(std::string_view key) const { return obj_ && obj_->contains(key); }

const json::value* Validator::Raw(std::string_view key) const {
  return obj_ ? obj_->if_contains(key) : nullptr;
}

const json::value* Validator::Lookup(std::string_view key, bool required) {
  if (!obj_) return nullptr;
  const json::value* v = obj_->if_contains(key);
  if (!v && required) Fail(key, "This field is required.", "required");
  return v;
}

void Validator::Fail(std::string_view key, std::string_view message, std::string_view code) {
  auto& slot = errors_[key];
  if (!slot.is_array()) slot = json::array{};
  slot.as_array().push_back(json::object{{"error", message}, {"code", code}});
}

void Validator::FailNonField(std::string_view message, std::string_view code) {
  Fail("non_field_errors", message, code);
}

std::optional<std::string> Validator::String(std::string_view key, const StringRule& rule) {
  const json::value* v = Lookup(key, rule.required);
  if (!v) return std::nullopt;
  if (v->is_null()) {
    if (!rule.allow_null) Fail(key, "This field may not be null.", "null");
    return std::nullopt;
  }
  auto s = CoerceString(*v);
  if (!s) {
    Fail(key, "Not a valid string.", "invalid");
    return std::nullopt;
  }
  std::string value = rule.trim ? std::string(util::Trim(*s)) : *s;
  if (value.empty() && !rule.allow_blank) {
    Fail(key, "This field may not be blank.", "blank");
    return std::nullopt;
  }
  size_t len = Utf8Length(value);
  if (len > rule.max_length) {
    Fail(key, fmt::format("Ensure this field has no more than {} characters.", rule.max_length),
         "max_length");
    return std::nullopt;
  }
  if (len < rule.min_length && !(value.empty() && rule.allow_blank)) {
    Fail(key, fmt::format("Ensure this field has at least {} characters.", rule.min_length),
         "min_length");
    return std::nullopt;
  }
  return value;
}

std::optional<std::string> Validator::Email(std::string_view key, bool required) {
  StringRule rule;
  rule.required = required;
  rule.max_length = 254;
  auto s = String(key, rule);
  if (!s) return std::nullopt;
  if (!util::IsValidEmail(*s)) {
    Fail(key, "Enter a valid email address.", "invalid");
    return std::nullopt;
  }
  return s;
}

std::optional<std::string> Validator::Choice(std::string_view key,
                                             const std::vector<std::string>& choices, bool required) {
  const json::value* v = Lookup(key, required);
  if (!v) return std::nullopt;
  if (v->is_null()) {
    Fail(key, "This field may not be null.", "null");
    return std::nullopt;
  }
  auto s = CoerceString(*v);
  if (s) {
    for (const auto& c : choices)
      if (c == *s) return s;
  }
  std::string shown = s ? *s : std::string(v->is_bool() ? (v->as_bool() ? "True" : "False") : "");
  Fail(key, fmt::format("\"{}\" is not a valid choice.", shown), "invalid_choice");
  return std::nullopt;
}

std::optional<bool> Validator::Bool(std::string_view key, bool required) {
  const json::value* v = Lookup(key, required);
  if (!v) return std::nullopt;
  if (v->is_null()) {
    Fail(key, "This field may not be null.", "null");
    return std::nullopt;
  }
  auto b = CoerceBool(*v);
  if (!b) Fail(key, "Must be a valid boolean.", "invalid");
  return b;
}

std::optional<int64_t> Validator::Int(std::string_view key, bool required,
                                      std::optional<int64_t> min, std::optional<int64_t> max) {
  const json::value* v = Lookup(key, required);
  if (!v) return std::nullopt;
  if (v->is_null()) {
    Fail(key, "This field may not be null.", "null");
    return std::nullopt;
  }
  auto i = CoerceInt(*v);
  if (!i) {
    Fail(key, "A valid integer is required.", "invalid");
    return std::nullopt;
  }
  if (min && *i < *min) {
    Fail(key, fmt::format("Ensure this value is greater than or equal to {}.", *min), "min_value");
    return std::nullopt;
  }
  if (max && *i > *max) {
    Fail(key, fmt::format("Ensure this value is less than or equal to {}.", *max), "max_value");
    return std::nullopt;
  }
  return i;
}

std::optional<std::vector<int64_t>> Validator::IntList(std::string_view key, bool required) {
  const json::value* v = Lookup(key, required);
  if (!v) return std::nullopt;
  if (v->is_null()) {
    Fail(key, "This field may not be null.", "null");
    return std::nullopt;
  }
  if (!v->is_array()) {
    Fail(key, fmt::format("Expected a list of items but got type \"{}\".", PythonType(*v)),
         "not_a_list");
    return std::nullopt;
  }
  std::vector<int64_t> out;
  json::object item_errors;
  const auto& arr = v->as_array();
  for (size_t i = 0; i < arr.size(); ++i) {
    auto n = arr[i].is_null() ? std::nullopt : CoerceInt(arr[i]);
    if (!n) {
      std::string msg = arr[i].is_null() ? "This field may not be null." : "A valid integer is required.";
      item_errors[std::to_string(i)] = json::array{
          json::object{{"error", msg}, {"code", arr[i].is_null() ? "null" : "invalid"}}};
      continue;
    }
    out.push_back(*n);
  }
  if (!item_errors.empty()) {
    errors_[key] = std::move(item_errors);
    return std::nullopt;
  }
  return out;
}

std::optional<std::vector<std::string>> Validator::StringList(std::string_view key, bool required) {
  const json::value* v = Lookup(key, required);
  if (!v) return std::nullopt;
  if (!v->is_array()) {
    Fail(key, fmt::format("Expected a list of items but got type \"{}\".", PythonType(*v)),
         "not_a_list");
    return std::nullopt;
  }
  std::vector<std::string> out;
  json::object item_errors;
  const auto& arr = v->as_array();
  for (size_t i = 0; i < arr.size(); ++i) {
    auto s = arr[i].is_null() ? std::nullopt : CoerceString(arr[i]);
    if (!s || util::Trim(*s).empty()) {
      const char* msg = arr[i].is_null() ? "This field may not be null."
                        : s ? "This field may not be blank." : "Not a valid string.";
      const char* code = arr[i].is_null() ? "null" : s ? "blank" : "invalid";
      item_errors[std::to_string(i)] = json::array{json::object{{"error", msg}, {"code", code}}};
      continue;
    }
    out.emplace_back(util::Trim(*s));
  }
  if (!item_errors.empty()) {
    errors_[key] = std::move(item_errors);
    return std::nullopt;
  }
  return out;
}

std::optional<std::string> Validator::Password(std::string_view key) {
  StringRule rule;
  rule.trim = false;
  auto s = String(key, rule);
  if (!s) return std::nullopt;
  size_t len = Utf8Length(*s);
  if (len < 8) {
    Fail(key, "This password is too short. It must contain at least 8 characters.",
         "password_validation_failed");
    return std::nullopt;
  }
  if (len > 256) {
    Fail(key, "This password is too long. It must not exceed 256 characters.",
         "password_validation_failed");
    return std::nullopt;
  }
  return s;
}

void Validator::Check() const {
  if (!errors_.empty()) throw Error("ERROR_REQUEST_BODY_VALIDATION", json::value(errors_));
}

json::object Validator::PlainErrors() const {
  json::object out;
  for (const auto& [key, value] : errors_) {
    json::array msgs;
    if (value.is_array()) {
      for (const auto& e : value.as_array()) msgs.push_back(e.as_object().at("error"));
    }
    out[key] = std::move(msgs);
  }
  return out;
}

}  // namespace gridbase::util
