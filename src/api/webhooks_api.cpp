// Table webhooks (webhooks.md §1): CRUD and the test call. JWT only: database tokens are
// refused by the authentication mode.
#include "api/errors.hpp"
#include "api/routes.hpp"

namespace gridbase::api {

namespace {

void ListWebhooks(Context& ctx) {
  ctx.SendJson(200, ctx.services.webhooks.List(ctx.actor(), ctx.IntParam("table_id")));
}

void CreateWebhook(Context& ctx) {
  ctx.SendJson(200, ctx.services.webhooks.Create(ctx.actor(), ctx.IntParam("table_id"), ctx.Json()));
}

void TestCallWebhook(Context& ctx) {
  ctx.SendJson(200, ctx.services.webhooks.TestCall(ctx.actor(), ctx.IntParam("table_id"), ctx.Json()));
}

void GetWebhook(Context& ctx) {
  ctx.SendJson(200, ctx.services.webhooks.Get(ctx.actor(), ctx.IntParam("webhook_id")));
}

void UpdateWebhook(Context& ctx) {
  ctx.SendJson(200, ctx.services.webhooks.Update(ctx.actor(), ctx.IntParam("webhook_id"), ctx.Json()));
}

void DeleteWebhook(Context& ctx) {
  ctx.services.webhooks.Delete(ctx.actor(), ctx.IntParam("webhook_id"));
  ctx.SendNoContent();
}

}  // namespace

void RegisterWebhookRoutes(ApiRouter& r) {
  r.Add("GET", "/api/database/webhooks/table/{table_id}/", {AuthMode::kJwt, ListWebhooks});
  r.Add("POST", "/api/database/webhooks/table/{table_id}/", {AuthMode::kJwt, CreateWebhook});
  r.Add("POST", "/api/database/webhooks/table/{table_id}/test-call/", {AuthMode::kJwt, TestCallWebhook});
  r.Add("GET", "/api/database/webhooks/{webhook_id}/", {AuthMode::kJwt, GetWebhook});
  r.Add("PATCH", "/api/database/webhooks/{webhook_id}/", {AuthMode::kJwt, UpdateWebhook});
  r.Add("DELETE", "/api/database/webhooks/{webhook_id}/", {AuthMode::kJwt, DeleteWebhook});
}

}  // namespace gridbase::api
