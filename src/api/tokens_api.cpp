// Database tokens (tokens.md §3) and the token-only endpoints.
#include "api/errors.hpp"
#include "api/routes.hpp"

namespace gridbase::api {

namespace json = boost::json;

namespace {

void ListTokens(Context& ctx) { ctx.SendJson(200, ctx.services.tokens.List(ctx.actor())); }
void CreateToken(Context& ctx) { ctx.SendJson(200, ctx.services.tokens.Create(ctx.actor(), ctx.Json())); }
void GetToken(Context& ctx) { ctx.SendJson(200, ctx.services.tokens.Get(ctx.actor(), ctx.IntParam("token_id"))); }
void UpdateToken(Context& ctx) {
  ctx.SendJson(200, ctx.services.tokens.Update(ctx.actor(), ctx.IntParam("token_id"), ctx.Json()));
}
void DeleteToken(Context& ctx) {
  ctx.services.tokens.Delete(ctx.actor(), ctx.IntParam("token_id"));
  ctx.SendNoContent();
}
void CheckToken(Context& ctx) { ctx.SendJson(200, json::object{{"token", "OK"}}); }
void AllTables(Context& ctx) { ctx.SendJson(200, ctx.services.tokens.AllTables(ctx.actor())); }

}  // namespace

void RegisterTokenRoutes(ApiRouter& r) {
  r.Add("GET", "/api/database/tokens/", {AuthMode::kJwt, ListTokens});
  r.Add("POST", "/api/database/tokens/", {AuthMode::kJwt, CreateToken});
  r.Add("GET", "/api/database/tokens/check/", {AuthMode::kTokenOnly, CheckToken});
  r.Add("GET", "/api/database/tokens/{token_id}/", {AuthMode::kJwt, GetToken});
  r.Add("PATCH", "/api/database/tokens/{token_id}/", {AuthMode::kJwt, UpdateToken});
  r.Add("DELETE", "/api/database/tokens/{token_id}/", {AuthMode::kJwt, DeleteToken});
  r.Add("GET", "/api/database/tables/all-tables/", {AuthMode::kTokenOnly, AllTables});
}

}  // namespace gridbase::api
