// Workspace invitations (workspaces.md §5).
#include "api/errors.hpp"
#include "api/routes.hpp"
#include "services/serializers.hpp"

namespace gridbase::api {

namespace {

void ListInvitations(Context& ctx) {
  services::InvitationQuery q;
  q.search = ctx.Query("search").value_or("");
  q.sorts = ctx.Query("sorts").value_or("");
  ctx.SendJson(200, ctx.services.invitations.List(ctx.actor(), ctx.IntParam("workspace_id"), q));
}
void CreateInvitation(Context& ctx) {
  ctx.SendJson(200, ctx.services.invitations.Create(ctx.actor(), ctx.IntParam("workspace_id"), ctx.Json()));
}
void GetInvitation(Context& ctx) {
  ctx.SendJson(200, ctx.services.invitations.Get(ctx.actor(), ctx.IntParam("invitation_id")));
}
void UpdateInvitation(Context& ctx) {
  ctx.SendJson(200, ctx.services.invitations.Update(ctx.actor(), ctx.IntParam("invitation_id"), ctx.Json()));
}
void DeleteInvitation(Context& ctx) {
  ctx.services.invitations.Delete(ctx.actor(), ctx.IntParam("invitation_id"));
  ctx.SendNoContent();
}
void AcceptInvitation(Context& ctx) {
  auto w = ctx.services.invitations.Accept(ctx.actor(), ctx.IntParam("invitation_id"));
  ctx.SendJson(200, WorkspaceWithMembersJson(w, /*with_unread_count=*/false));
}
void RejectInvitation(Context& ctx) {
  ctx.services.invitations.Reject(ctx.actor(), ctx.IntParam("invitation_id"));
  ctx.SendNoContent();
}
void InvitationByToken(Context& ctx) {
  ctx.SendJson(200, ctx.services.invitations.ByToken(ctx.StrParam("token")));
}

}  // namespace

void RegisterInvitationRoutes(ApiRouter& r) {
  r.Add("GET", "/api/workspaces/invitations/workspace/{workspace_id}/", {AuthMode::kJwt, ListInvitations});
  r.Add("POST", "/api/workspaces/invitations/workspace/{workspace_id}/", {AuthMode::kJwt, CreateInvitation});
  r.Add("GET", "/api/workspaces/invitations/token/{token:str}/", {AuthMode::kPublic, InvitationByToken});
  r.Add("GET", "/api/workspaces/invitations/{invitation_id}/", {AuthMode::kJwt, GetInvitation});
  r.Add("PATCH", "/api/workspaces/invitations/{invitation_id}/", {AuthMode::kJwt, UpdateInvitation});
  r.Add("DELETE", "/api/workspaces/invitations/{invitation_id}/", {AuthMode::kJwt, DeleteInvitation});
  r.Add("POST", "/api/workspaces/invitations/{invitation_id}/accept/", {AuthMode::kJwt, AcceptInvitation});
  r.Add("POST", "/api/workspaces/invitations/{invitation_id}/reject/", {AuthMode::kJwt, RejectInvitation});
}

}  // namespace gridbase::api
