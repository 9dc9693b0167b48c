#include "types/field_type.hpp"

#include <fmt/format.h>

namespace gridbase::types {

std::vector<store::Value> BindValues(const SqlParams& params) {
  std::vector<store::Value> out;
  out.reserve(params.size());
  for (const auto& p : params) {
    std::visit(
        [&](const auto& v) {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, std::monostate>) out.emplace_back(std::monostate{});
          else if constexpr (std::is_same_v<T, std::string>) out.emplace_back(std::string_view(v));
          else out.emplace_back(v);
        },
        p);
  }
  return out;
}

std::string Param(SqlParams& params, CellValue v) {
  params.push_back(std::move(v));
  return "?";
}

std::optional<std::string> FieldType::CellText(const store::Cursor& c, int col, const Field&) const {
  if (c.IsNull(col)) return std::nullopt;
  return c.String(col);
}

CellValue FieldType::Convert(const std::optional<std::string>& text, const store::Cursor&, int,
                             const Field&, const Field& to) const {
  if (!text) return std::monostate{};
  CellError err;
  auto v = Prepare(boost::json::value(boost::json::string(*text)), to, err);
  return v ? *v : CellValue(std::monostate{});
}

std::vector<std::string> FieldType::OrderSql(const Field& f, std::string_view sort_type) const {
  if (!sortable() || sort_type != "default") return {};
  return {SelectExpr(f)};
}

CellError ReadOnlyError(std::string_view type) {
  CellError e;
  e.message = fmt::format("Field of type {} is read only and should not be set manually.", type);
  e.whole_request = true;
  return e;
}

}  // namespace gridbase::types
