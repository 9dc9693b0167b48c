// Workspaces and members (workspaces.md §3–§4).
#include <boost/json/array.hpp>

#include "api/errors.hpp"
#include "api/routes.hpp"
#include "services/serializers.hpp"
#include "util/validate.hpp"
#include "services/permissions.hpp"

namespace gridbase::api {

namespace json = boost::json;

namespace {

std::string ValidWorkspaceName(Context& ctx) {
  Validator v(ctx.Json());
  StringRule rule;
  rule.max_length = 165;
  auto name = v.String("name", rule);
  v.Check();
  return *name;
}

void ListWorkspaces(Context& ctx) {
  json::array out;
  for (const auto& w : ctx.services.workspaces.List(ctx.actor()))
    out.push_back(WorkspaceWithMembersJson(w, /*with_unread_count=*/true));
  ctx.SendJson(200, out);
}

void CreateWorkspace(Context& ctx) {
  std::string name = ValidWorkspaceName(ctx);
  ctx.SendJson(200, WorkspaceWithMembersJson(ctx.services.workspaces.Create(ctx.actor(), name), false));
}

void UpdateWorkspace(Context& ctx) {
  std::string name = ValidWorkspaceName(ctx);
  auto w = ctx.services.workspaces.Update(ctx.actor(), ctx.IntParam("workspace_id"), name);
  ctx.SendJson(200, WorkspaceJson(w));
}

void DeleteWorkspace(Context& ctx) {
  ctx.services.workspaces.Delete(ctx.actor(), ctx.IntParam("workspace_id"));
  ctx.SendNoContent();
}

void OrderWorkspaces(Context& ctx) {
  Validator v(ctx.Json());
  auto ids = v.IntList("workspaces");
  v.Check();
  ctx.services.workspaces.Order(ctx.actor(), *ids);
  ctx.SendNoContent();
}

void LeaveWorkspace(Context& ctx) {
  ctx.services.workspaces.Leave(ctx.actor(), ctx.IntParam("workspace_id"));
  ctx.SendNoContent();
}

void CreateInitialWorkspace(Context& ctx) {
  ctx.SendJson(200, WorkspaceWithMembersJson(ctx.services.workspaces.CreateInitial(ctx.actor()), false));
}

void WorkspacePermissions(Context& ctx) {
  int64_t id = ctx.IntParam("workspace_id");
  auto actor = ctx.actor();
  auto perms = ctx.services.store.ReadResult([&](store::Tx& tx) {
    services::WorkspaceService::Require(tx, id);
    return services::PermissionObjects(tx, actor, id);
  });
  ctx.SendJson(200, perms);
}

void ListMembers(Context& ctx) {
  services::MemberQuery q;
  q.search = ctx.Query("search").value_or("");
  q.sorts = ctx.Query("sorts").value_or("");
  json::array out;
  for (const auto& m : ctx.services.workspaces.ListMembers(ctx.actor(), ctx.IntParam("workspace_id"), q))
    out.push_back(MemberJson(m));
  ctx.SendJson(200, out);
}

void UpdateMember(Context& ctx) {
  Validator v(ctx.Json());
  StringRule rule;
  rule.max_length = 32;
  auto permissions = v.String("permissions", rule);
  if (permissions && *permissions != "ADMIN" && *permissions != "MEMBER") {
    v.Fail("permissions", "\"" + *permissions + "\" is not a valid choice.", "invalid_choice");
  }
  v.Check();
  auto m = ctx.services.workspaces.UpdateMember(ctx.actor(), ctx.IntParam("workspace_user_id"), *permissions);
  ctx.SendJson(200, MemberJson(m));
}

void DeleteMember(Context& ctx) {
  ctx.services.workspaces.DeleteMember(ctx.actor(), ctx.IntParam("workspace_user_id"));
  ctx.SendNoContent();
}

}  // namespace

void RegisterWorkspaceRoutes(ApiRouter& r) {
  r.Add("GET", "/api/workspaces/", {AuthMode::kJwt, ListWorkspaces});
  r.Add("POST", "/api/workspaces/", {AuthMode::kJwt, CreateWorkspace});
  r.Add("PATCH", "/api/workspaces/{workspace_id}/", {AuthMode::kJwt, UpdateWorkspace});
  r.Add("DELETE", "/api/workspaces/{workspace_id}/", {AuthMode::kJwt, DeleteWorkspace});
  r.Add("POST", "/api/workspaces/order/", {AuthMode::kJwt, OrderWorkspaces});
  r.Add("POST", "/api/workspaces/{workspace_id}/leave/", {AuthMode::kJwt, LeaveWorkspace});
  r.Add("POST", "/api/workspaces/create-initial-workspace/", {AuthMode::kJwt, CreateInitialWorkspace});
  r.Add("GET", "/api/workspaces/{workspace_id}/permissions/", {AuthMode::kJwt, WorkspacePermissions});
  r.Add("GET", "/api/workspaces/users/workspace/{workspace_id}/", {AuthMode::kJwt, ListMembers});
  r.Add("PATCH", "/api/workspaces/users/{workspace_user_id}/", {AuthMode::kJwt, UpdateMember});
  r.Add("DELETE", "/api/workspaces/users/{workspace_user_id}/", {AuthMode::kJwt, DeleteMember});
}

}  // namespace gridbase::api
