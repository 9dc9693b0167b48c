// Tables of a database (applications-tables.md §3).
#include <boost/json/array.hpp>
#include <fmt/format.h>

#include "api/errors.hpp"
#include "api/routes.hpp"
#include "util/error.hpp"

namespace gridbase::api {

namespace json = boost::json;

namespace {

StringRule TableNameRule() {
  StringRule rule;
  rule.max_length = 255;
  return rule;
}

void ListTables(Context& ctx) {
  ctx.SendJson(200, ctx.services.tables.List(ctx.actor(), ctx.IntParam("database_id")));
}

void CreateTable(Context& ctx) {
  Validator v(ctx.Json());
  auto name = v.String("name", TableNameRule());
  std::optional<json::array> data;
  if (const auto* raw = v.Raw("data"); raw && !raw->is_null()) {
    if (!raw->is_array()) {
      v.Fail("data", fmt::format("Expected a list of items but got type \"{}\".", Validator::PythonType(*raw)),
             "not_a_list");
    } else if (raw->as_array().empty()) {
      v.Fail("data", "Ensure this field has at least 1 elements.", "min_length");
    } else {
      json::object item_errors;
      const auto& rows = raw->as_array();
      for (size_t i = 0; i < rows.size(); ++i) {
        if (!rows[i].is_array()) {
          item_errors[std::to_string(i)] = json::array{json::object{
              {"error", fmt::format("Expected a list of items but got type \"{}\".", Validator::PythonType(rows[i]))},
              {"code", "not_a_list"}}};
        }
      }
      if (!item_errors.empty()) v.SetError("data", std::move(item_errors));
      else data = rows;
    }
  }
  bool first_row_header = v.Bool("first_row_header", false).value_or(false);
  v.Check();
  ctx.SendJson(200, ctx.services.tables.Create(ctx.actor(), ctx.IntParam("database_id"), *name, data, first_row_header));
}

void GetTable(Context& ctx) { ctx.SendJson(200, ctx.services.tables.Get(ctx.actor(), ctx.IntParam("table_id"))); }

void UpdateTable(Context& ctx) {
  Validator v(ctx.Json());
  auto name = v.String("name", TableNameRule());
  v.Check();
  ctx.SendJson(200, ctx.services.tables.Update(ctx.actor(), ctx.IntParam("table_id"), *name));
}

void DeleteTable(Context& ctx) {
  ctx.services.tables.Delete(ctx.actor(), ctx.IntParam("table_id"));
  ctx.SendNoContent();
}

void OrderTables(Context& ctx) {
  Validator v(ctx.Json());
  auto ids = v.IntList("table_ids");
  v.Check();
  ctx.services.tables.Order(ctx.actor(), ctx.IntParam("database_id"), *ids);
  ctx.SendNoContent();
}

}  // namespace

void RegisterTableRoutes(ApiRouter& r) {
  r.Add("GET", "/api/database/tables/database/{database_id}/", {AuthMode::kJwt, ListTables});
  r.Add("POST", "/api/database/tables/database/{database_id}/", {AuthMode::kJwt, CreateTable});
  r.Add("POST", "/api/database/tables/database/{database_id}/order/", {AuthMode::kJwt, OrderTables});
  r.Add("GET", "/api/database/tables/{table_id}/", {AuthMode::kJwt, GetTable});
  r.Add("PATCH", "/api/database/tables/{table_id}/", {AuthMode::kJwt, UpdateTable});
  r.Add("DELETE", "/api/database/tables/{table_id}/", {AuthMode::kJwt, DeleteTable});
}

}  // namespace gridbase::api
