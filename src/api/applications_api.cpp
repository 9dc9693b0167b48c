// Database applications (applications-tables.md §2).
#include <boost/json/array.hpp>

#include "api/errors.hpp"
#include "api/routes.hpp"
#include "services/serializers.hpp"
#include "util/validate.hpp"
#include "util/error.hpp"

namespace gridbase::api {

namespace json = boost::json;

namespace {

StringRule NameRule(bool required) {
  StringRule rule;
  rule.required = required;
  rule.max_length = 160;
  return rule;
}

json::array ToJson(const std::vector<services::Application>& apps) {
  json::array out;
  for (const auto& a : apps) out.push_back(ApplicationJson(a));
  return out;
}

void ListAll(Context& ctx) { ctx.SendJson(200, ToJson(ctx.services.applications.ListAll(ctx.actor()))); }

void ListWorkspace(Context& ctx) {
  if (!ctx.user) throw Error("PERMISSION_DENIED");  // anonymous: only template workspaces
  ctx.SendJson(200, ToJson(ctx.services.applications.ListWorkspace(ctx.actor(), ctx.IntParam("workspace_id"))));
}

void Create(Context& ctx) {
  Validator v(ctx.Json());
  // Baserow looks the type up in its registry before validating the other keys.
  if (const auto* type = v.Raw("type"); type && type->is_string() &&
                                         !services::IsKnownApplicationType(type->as_string())) {
    throw Error("ERROR_APPLICATION_TYPE_DOES_NOT_EXIST",
                "The application type " + std::string(type->as_string()) + " does not exist.");
  }
  auto name = v.String("name", NameRule(true));
  auto type = v.Choice("type", {"database"});
  bool init_with_data = v.Bool("init_with_data", false).value_or(false);
  v.Check();
  auto app = ctx.services.applications.Create(ctx.actor(), ctx.IntParam("workspace_id"), *type, *name,
                                              init_with_data);
  ctx.SendJson(200, ApplicationJson(app));
}

void Get(Context& ctx) {
  ctx.SendJson(200, ApplicationJson(ctx.services.applications.Get(ctx.actor(), ctx.IntParam("application_id"))));
}

void Update(Context& ctx) {
  int64_t id = ctx.IntParam("application_id");
  ctx.services.applications.RequireVisible(id);
  Validator v(ctx.Json());
  auto name = v.String("name", NameRule(false));
  v.Check();
  ctx.SendJson(200, ApplicationJson(ctx.services.applications.Update(ctx.actor(), id, name)));
}

void Delete(Context& ctx) {
  ctx.services.applications.Delete(ctx.actor(), ctx.IntParam("application_id"));
  ctx.SendNoContent();
}

void Order(Context& ctx) {
  Validator v(ctx.Json());
  auto ids = v.IntList("application_ids");
  v.Check();
  ctx.services.applications.Order(ctx.actor(), ctx.IntParam("workspace_id"), *ids);
  ctx.SendNoContent();
}

}  // namespace

void RegisterApplicationRoutes(ApiRouter& r) {
  r.Add("GET", "/api/applications/", {AuthMode::kJwt, ListAll});
  r.Add("GET", "/api/applications/workspace/{workspace_id}/", {AuthMode::kPublic, ListWorkspace});
  r.Add("POST", "/api/applications/workspace/{workspace_id}/", {AuthMode::kJwt, Create});
  r.Add("POST", "/api/applications/workspace/{workspace_id}/order/", {AuthMode::kJwt, Order});
  r.Add("GET", "/api/applications/{application_id}/", {AuthMode::kJwt, Get});
  r.Add("PATCH", "/api/applications/{application_id}/", {AuthMode::kJwt, Update});
  r.Add("DELETE", "/api/applications/{application_id}/", {AuthMode::kJwt, Delete});
}

}  // namespace gridbase::api
