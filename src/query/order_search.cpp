// order_by parsing and compat search (filters.md §3, §6.1).
#include <fmt/format.h>

#include "query/query.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace gridbase::query {

std::vector<std::string> SplitCsvList(std::string_view s) { return util::SplitCsv(s); }

std::vector<OrderItem> ParseOrderBy(std::string_view order_by, const types::TableSchema& schema,
                                    bool user_field_names) {
  std::vector<OrderItem> items;
  for (const auto& raw : SplitCsvList(order_by)) {
    std::string item = raw;
    if (item.empty()) continue;
    OrderItem o{nullptr};
    std::string ref = item;
    if (ref[0] == '-' || ref[0] == '+') {
      o.descending = ref[0] == '-';
      ref = ref.substr(1);
    }
    if (user_field_names) {
      o.field = schema.FindByName(ref);
    } else {
      size_t bracket = ref.find('[');
      if (bracket != std::string::npos && ref.back() == ']') {
        o.sort_type = ref.substr(bracket + 1, ref.size() - bracket - 2);
        ref = ref.substr(0, bracket);
      }
      std::string digits;
      for (char c : ref)
        if (c >= '0' && c <= '9') digits += c;
      if (!digits.empty() && digits.size() <= 18) o.field = schema.FindById(std::stoll(digits));
    }
    if (!o.field) {
      throw Error("ERROR_ORDER_BY_FIELD_NOT_FOUND", fmt::format("The field {} was not found in the table.", item));
    }
    const auto* type = types::FindFieldType(o.field->type);
    if (type->OrderSql(*o.field, o.sort_type).empty()) {
      std::string shown = user_field_names ? o.field->name : "field_" + std::to_string(o.field->id);
      throw Error("ERROR_ORDER_BY_FIELD_NOT_POSSIBLE",
                  fmt::format("It is not possible to order by {} using sort type {} because the field type {} "
                              "does not support it.",
                              shown, o.sort_type, o.field->type));
    }
    items.push_back(std::move(o));
  }
  return items;
}

std::string CompileOrderBy(const std::vector<OrderItem>& items, bool mirrored) {
  std::string out = "ORDER BY ";
  for (const auto& item : items) {
    const auto* type = types::FindFieldType(item.field->type);
    for (const auto& expr : type->OrderSql(*item.field, item.sort_type)) {
      // NULLs first ascending, as SQLite orders them; spelled out for PostgreSQL.
      out += expr + (item.descending != mirrored ? " DESC NULLS LAST, " : " ASC NULLS FIRST, ");
    }
  }
  return out + (mirrored ? "t.ord DESC, t.id DESC" : "t.ord ASC, t.id ASC");
}

std::string CompileSearch(std::string_view search, const types::TableSchema& schema, types::SqlParams& params) {
  std::string s(util::Trim(search));
  if (s.empty()) return types::kSqlTrue;
  std::vector<std::string> parts;
  if (s.size() <= 18 && s[0] != '0' && s.find_first_not_of("0123456789") == std::string::npos) {
    parts.push_back("t.id = " + types::Param(params, static_cast<int64_t>(std::stoll(s))));
  }
  std::string pattern = "%";
  for (char c : s) {
    if (c == '%' || c == '_' || c == '\\') pattern += '\\';
    pattern += c;
  }
  pattern += '%';
  for (const auto& f : schema.fields) {
    if (f.type == "boolean" || f.type == "duration" || f.type == "password") continue;
    const auto* type = types::FindFieldType(f.type);
    auto text = type->TextSql(f, params);
    if (!text) continue;
    parts.push_back(*text + " LIKE " + types::Param(params, pattern) + " ESCAPE '\\'");
  }
  if (parts.empty()) return types::kSqlFalse;
  std::string out = "(";
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? " OR " : "") + parts[i];
  return out + ")";
}

}  // namespace gridbase::query
