// Fields of a table (fields.md §1).
#include "api/errors.hpp"
#include "api/routes.hpp"

namespace gridbase::api {

namespace {

void ListFields(Context& ctx) { ctx.SendJson(200, ctx.services.fields.List(ctx.actor(), ctx.IntParam("table_id"))); }

void CreateField(Context& ctx) {
  ctx.SendJson(200, ctx.services.fields.Create(ctx.actor(), ctx.IntParam("table_id"), ctx.Json()));
}

void GetField(Context& ctx) { ctx.SendJson(200, ctx.services.fields.Get(ctx.actor(), ctx.IntParam("field_id"))); }

void UpdateField(Context& ctx) {
  ctx.SendJson(200, ctx.services.fields.Update(ctx.actor(), ctx.IntParam("field_id"), ctx.Json()));
}

void DeleteField(Context& ctx) {
  ctx.SendJson(200, ctx.services.fields.Delete(ctx.actor(), ctx.IntParam("field_id")));
}

void UniqueRowValues(Context& ctx) {
  int64_t limit = 100;
  if (auto raw = ctx.Query("limit")) {
    if (auto n = CoerceInt(boost::json::value(boost::json::string(*raw)))) limit = *n;
  }
  bool split = false;
  if (auto raw = ctx.Query("split_comma_separated")) {
    split = CoerceBool(boost::json::value(boost::json::string(*raw))).value_or(false);
  }
  ctx.SendJson(200, ctx.services.fields.UniqueRowValues(ctx.actor(), ctx.IntParam("field_id"), limit, split));
}

void ChangePrimaryField(Context& ctx) {
  ctx.SendJson(200, ctx.services.fields.ChangePrimary(ctx.actor(), ctx.IntParam("table_id"), ctx.Json()));
}

}  // namespace

void RegisterFieldRoutes(ApiRouter& r) {
  r.Add("GET", "/api/database/fields/table/{table_id}/", {AuthMode::kJwtOrToken, ListFields});
  r.Add("POST", "/api/database/fields/table/{table_id}/", {AuthMode::kJwtOrToken, CreateField});
  r.Add("POST", "/api/database/fields/table/{table_id}/change-primary-field/", {AuthMode::kJwt, ChangePrimaryField});
  r.Add("GET", "/api/database/fields/{field_id}/", {AuthMode::kJwt, GetField});
  r.Add("PATCH", "/api/database/fields/{field_id}/", {AuthMode::kJwt, UpdateField});
  r.Add("DELETE", "/api/database/fields/{field_id}/", {AuthMode::kJwt, DeleteField});
  r.Add("GET", "/api/database/fields/{field_id}/unique_row_values/", {AuthMode::kJwt, UniqueRowValues});
}

}  // namespace gridbase::api
