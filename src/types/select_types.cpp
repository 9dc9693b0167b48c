// Select field types: single_select and multiple_select.
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include "types/field_type.hpp"
#include "types/prop_helpers.hpp"
#include "util/strings.hpp"

namespace gridbase::types {

namespace json = boost::json;

/// Comma-separated values with quotes and escapes, each trimmed ("" for an empty input).
std::vector<std::string> SplitCsv(std::string_view s) {
  std::vector<std::string> out;
  if (s.empty()) return out;
  for (auto& part : util::SplitCsv(s)) out.emplace_back(util::Trim(part));
  return out;
}

namespace select_types {

std::string PyRepr(const json::value& v) {
  if (v.is_string()) return "'" + std::string(v.as_string()) + "'";
  if (v.is_null()) return "None";
  if (v.is_bool()) return v.as_bool() ? "True" : "False";
  return json::serialize(v);
}

void ParseOptions(util::Validator& v, const Field* cur, Field& target) {
  if (!v.Has("select_options")) {
    if (cur) target.options = cur->options;
    return;
  }
  const auto* raw = v.Raw("select_options");
  if (!raw->is_array()) {
    v.Fail("select_options",
           fmt::format("Expected a list of items but got type \"{}\".", util::Validator::PythonType(*raw)),
           "not_a_list");
    return;
  }
  json::object errors;
  target.options.clear();
  const auto& arr = raw->as_array();
  for (size_t i = 0; i < arr.size(); ++i) {
    if (!arr[i].is_object()) {
      errors[std::to_string(i)] = json::object{
          {"non_field_errors",
           json::array{json::object{{"error", fmt::format("Invalid data. Expected a dictionary, but got {}.",
                                                          util::Validator::PythonType(arr[i]))},
                                    {"code", "invalid"}}}}};
      continue;
    }
    util::Validator item(arr[i]);
    util::StringRule value_rule;
    value_rule.allow_blank = true;
    value_rule.max_length = 255;
    value_rule.trim = false;
    auto value = item.String("value", value_rule);
    auto color = item.String("color", value_rule);
    std::optional<int64_t> id;
    if (const auto* rid = item.Raw("id"); rid && !rid->is_null()) id = item.Int("id", false);
    if (!item.ok()) {
      errors[std::to_string(i)] = item.errors();
      continue;
    }
    target.options.push_back(SelectOption{id.value_or(0), *value, *color});
  }
  if (!errors.empty()) v.SetError("select_options", std::move(errors));
}

json::array OptionsJson(const Field& f) {
  json::array out;
  for (const auto& o : f.options) out.push_back(json::object{{"id", o.id}, {"value", o.value}, {"color", o.color}});
  return out;
}

void WriteOption(const SelectOption& o, util::JsonWriter& w) {
  w.BeginObject();
  w.Key("id");
  w.Int(o.id);
  w.Key("value");
  w.String(o.value);
  w.Key("color");
  w.String(o.color);
  w.EndObject();
}

const SelectOption* MatchValue(const Field& f, std::string_view value, bool case_insensitive) {
  for (const auto& o : f.options) {
    if (case_insensitive ? util::IEquals(o.value, value) : o.value == value) return &o;
  }
  return nullptr;
}

std::vector<int64_t> IdsOf(std::string_view stored) {
  std::vector<int64_t> ids;
  boost::system::error_code ec;
  auto v = json::parse(stored, ec);
  if (ec || !v.is_array()) return ids;
  for (const auto& x : v.as_array())
    if (x.is_int64()) ids.push_back(x.as_int64());
  return ids;
}

std::string IdsJson(const std::vector<int64_t>& ids) {
  std::string out = "[";
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i) out += ',';
    out += std::to_string(ids[i]);
  }
  return out + "]";
}

std::string OptionValueSql(const std::string& id_expr) {
  return "(SELECT so.value FROM select_options so WHERE so.id = " + id_expr + ")";
}

class SingleSelectType : public FieldType {
 public:
  std::string_view type() const override { return "single_select"; }
  std::string_view column_type() const override { return "INTEGER"; }
  bool has_select_options() const override { return true; }
  bool supports_unique_constraint() const override { return true; }
  bool supports_db_index() const override { return false; }
  void ParseProps(util::Validator& v, const Field* cur, Field& target) const override {
    ParseOptions(v, cur, target);
    if (v.Has("single_select_default")) {
      const auto* raw = v.Raw("single_select_default");
      if (raw->is_null()) target.props["single_select_default"] = nullptr;
      else if (auto id = v.Int("single_select_default", false)) target.props["single_select_default"] = *id;
    } else {
      props::Keep("single_select_default", cur, target, nullptr);
    }
  }
  void WriteProps(const Field& f, json::object& out) const override {
    out["select_options"] = OptionsJson(f);
    const auto* d = f.props.if_contains("single_select_default");
    out["single_select_default"] = d && d->is_int64() ? *d : json::value(nullptr);
  }
  bool has_default_value(const Field& f) const override {
    const auto* d = f.props.if_contains("single_select_default");
    return d && d->is_int64();
  }
  std::optional<CellValue> Prepare(const json::value& in, const Field& f, CellError& err) const override {
    if (in.is_null()) return CellValue(std::monostate{});
    const SelectOption* o = nullptr;
    if (in.is_int64() || in.is_uint64()) o = f.FindOption(in.to_number<int64_t>());
    else if (in.is_string()) o = MatchValue(f, in.as_string(), false);
    if (o) return CellValue(o->id);
    std::string shown = in.is_string() ? std::string(in.as_string()) : json::serialize(in);
    err.message = fmt::format("The provided select option value '{}' is not a valid select option.", shown);
    err.whole_request = true;
    return std::nullopt;
  }
  CellValue NewRowValue(const Field& f, int64_t) const override {
    const auto* d = f.props.if_contains("single_select_default");
    if (d && d->is_int64() && f.FindOption(d->as_int64())) return d->as_int64();
    return std::monostate{};
  }
  void WriteCell(const store::Cursor& c, int col, const Field& f, util::JsonWriter& w) const override {
    const SelectOption* o = c.IsNull(col) ? nullptr : f.FindOption(c.Int(col));
    if (!o) return w.Null();
    WriteOption(*o, w);
  }
  std::optional<std::string> CellText(const store::Cursor& c, int col, const Field& f) const override {
    const SelectOption* o = c.IsNull(col) ? nullptr : f.FindOption(c.Int(col));
    if (!o) return std::nullopt;
    return o->value;
  }
  CellValue Convert(const std::optional<std::string>& text, const store::Cursor& c, int col,
                    const Field& from, const Field& to) const override {
    if (c.IsNull(col)) return std::monostate{};
    if (from.type == "single_select") {
      if (to.FindOption(c.Int(col))) return c.Int(col);
    } else if (from.type == "multiple_select") {
      auto ids = IdsOf(c.Text(col));
      if (!ids.empty() && to.FindOption(ids.front())) return ids.front();
      return std::monostate{};
    }
    if (!text) return std::monostate{};
    if (const auto* o = MatchValue(to, util::Trim(*text), true)) return o->id;
    return std::monostate{};
  }
  std::optional<std::string> TextSql(const Field& f, SqlParams&) const override {
    return OptionValueSql(SelectExpr(f));
  }
  std::vector<std::string> OrderSql(const Field& f, std::string_view sort_type) const override {
    if (sort_type == "default") return {OptionValueSql(SelectExpr(f)) + " COLLATE NOCASE"};
    if (sort_type == "order")
      return {"(SELECT so.position FROM select_options so WHERE so.id = " + SelectExpr(f) + ")"};
    return {};
  }
};

class MultipleSelectType : public FieldType {
 public:
  std::string_view type() const override { return "multiple_select"; }
  std::string_view column_type() const override { return "TEXT"; }
  bool has_select_options() const override { return true; }
  bool can_unique_values() const override { return false; }
  bool supports_db_index() const override { return false; }
  void ParseProps(util::Validator& v, const Field* cur, Field& target) const override {
    ParseOptions(v, cur, target);
    if (v.Has("multiple_select_default")) {
      const auto* raw = v.Raw("multiple_select_default");
      if (raw->is_null()) target.props["multiple_select_default"] = nullptr;
      else if (auto ids = v.IntList("multiple_select_default", false)) {
        json::array arr;
        for (auto id : *ids) arr.push_back(id);
        target.props["multiple_select_default"] = std::move(arr);
      }
    } else {
      props::Keep("multiple_select_default", cur, target, nullptr);
    }
  }
  void WriteProps(const Field& f, json::object& out) const override {
    out["select_options"] = OptionsJson(f);
    const auto* d = f.props.if_contains("multiple_select_default");
    out["multiple_select_default"] = d && d->is_array() ? *d : json::value(nullptr);
  }
  bool has_default_value(const Field& f) const override {
    const auto* d = f.props.if_contains("multiple_select_default");
    return d && d->is_array() && !d->as_array().empty();
  }
  std::optional<CellValue> Prepare(const json::value& in, const Field& f, CellError& err) const override {
    if (in.is_null()) {
      err.message = "This field may not be null.";
      err.code = "null";
      return std::nullopt;
    }
    json::array items;
    if (in.is_string()) {
      for (auto& part : SplitCsv(in.as_string())) items.push_back(json::string(part));
    } else if (in.is_array()) {
      items = in.as_array();
    } else {
      err.message = fmt::format("Expected a list of items but got type \"{}\".", util::Validator::PythonType(in));
      err.code = "not_a_list";
      return std::nullopt;
    }
    std::vector<int64_t> ids;
    std::vector<std::string> unknown;
    for (const auto& item : items) {
      const SelectOption* o = nullptr;
      if (item.is_int64() || item.is_uint64()) o = f.FindOption(item.to_number<int64_t>());
      else if (item.is_string()) o = MatchValue(f, item.as_string(), false);
      else {
        err.message = fmt::format("The provided value '[{}]' is not a valid integer or string.", PyRepr(item));
        return std::nullopt;
      }
      if (!o) {
        unknown.push_back(item.is_string() ? PyRepr(item) : json::serialize(item));
        continue;
      }
      if (std::find(ids.begin(), ids.end(), o->id) == ids.end()) ids.push_back(o->id);
    }
    if (!unknown.empty()) {
      err.whole_request = true;
      if (unknown.size() == 1) {
        err.message = fmt::format("The provided select option value {} is not a valid select option.", unknown[0]);
      } else {
        std::string list;
        for (size_t i = 0; i < unknown.size(); ++i) list += (i ? ", " : "") + unknown[i];
        err.message = fmt::format("The provided select option values [{}] are not valid select options.", list);
      }
      return std::nullopt;
    }
    return CellValue(IdsJson(ids));
  }
  CellValue NewRowValue(const Field& f, int64_t) const override {
    std::vector<int64_t> ids;
    if (const auto* d = f.props.if_contains("multiple_select_default"); d && d->is_array()) {
      for (const auto& x : d->as_array())
        if (x.is_int64() && f.FindOption(x.as_int64())) ids.push_back(x.as_int64());
    }
    return IdsJson(ids);
  }
  void WriteCell(const store::Cursor& c, int col, const Field& f, util::JsonWriter& w) const override {
    w.BeginArray();
    if (!c.IsNull(col)) {
      for (int64_t id : IdsOf(c.Text(col)))
        if (const auto* o = f.FindOption(id)) WriteOption(*o, w);
    }
    w.EndArray();
  }
  std::optional<std::string> CellText(const store::Cursor& c, int col, const Field& f) const override {
    if (c.IsNull(col)) return std::nullopt;
    std::string out;
    for (int64_t id : IdsOf(c.Text(col))) {
      if (const auto* o = f.FindOption(id)) out += (out.empty() ? "" : ", ") + o->value;
    }
    if (out.empty()) return std::nullopt;
    return out;
  }
  CellValue Convert(const std::optional<std::string>& text, const store::Cursor& c, int col,
                    const Field& from, const Field& to) const override {
    std::vector<int64_t> ids;
    if (!c.IsNull(col)) {
      if (from.type == "single_select") {
        if (to.FindOption(c.Int(col))) ids.push_back(c.Int(col));
      } else if (from.type == "multiple_select") {
        for (int64_t id : IdsOf(c.Text(col)))
          if (to.FindOption(id)) ids.push_back(id);
      } else if (text) {
        for (const auto& part : SplitCsv(*text)) {
          const auto* o = MatchValue(to, part, false);
          if (o && std::find(ids.begin(), ids.end(), o->id) == ids.end()) ids.push_back(o->id);
        }
      }
    }
    return IdsJson(ids);
  }
  std::optional<std::string> TextSql(const Field& f, SqlParams&) const override {
    // The cell's options in cell order (an ordered derived table: both engines aggregate
    // its rows in that order).
    return "(SELECT group_concat(v, ',') FROM (SELECT so.value AS v FROM json_each(" + SelectExpr(f) +
           ") je JOIN select_options so ON so.id = je.value ORDER BY je.key) cell_options)";
  }
  std::vector<std::string> OrderSql(const Field& f, std::string_view sort_type) const override {
    if (sort_type != "default") return {};
    SqlParams unused;
    return {"COALESCE(" + *TextSql(f, unused) + ", '') COLLATE NOCASE"};
  }
  std::string EmptySql(const Field& f) const override {
    return "(" + SelectExpr(f) + " IS NULL OR " + SelectExpr(f) + " = '[]')";
  }
};

}  // namespace select_types

const FieldType* SingleSelectFieldType() {
  static const select_types::SingleSelectType t;
  return &t;
}
const FieldType* MultipleSelectFieldType() {
  static const select_types::MultipleSelectType t;
  return &t;
}

}  // namespace gridbase::types
