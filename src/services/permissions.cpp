#include "services/permissions.hpp"

#include <algorithm>

#include "services/settings.hpp"
#include "util/error.hpp"

namespace gridbase::services {

namespace json = boost::json;

const std::vector<std::string>& AdminOnlyOperations() {
  static const std::vector<std::string> kOps = {
      "workspace.list_invitations", "workspace.create_invitation", "invitation.read",
      "invitation.update",          "invitation.delete",           "workspace.list_workspace_users",
      "workspace.update",           "workspace.delete",            "workspace_user.update",
      "workspace_user.delete"};
  return kOps;
}

std::optional<Membership> FindMembership(store::Tx& tx, int64_t user_id, int64_t workspace_id) {
  auto c = tx.Query("SELECT id, permissions FROM workspace_users WHERE user_id = ? AND workspace_id = ?",
                    user_id, workspace_id);
  if (!c->Next()) return std::nullopt;
  return Membership{c->Int(0), c->String(1)};
}

Membership CheckWorkspacePermission(store::Tx& tx, const Actor& actor, int64_t workspace_id,
                                    std::string_view operation) {
  auto m = FindMembership(tx, actor.user_id, workspace_id);
  if (!m) throw Error("ERROR_USER_NOT_IN_GROUP");
  const auto& admin_ops = AdminOnlyOperations();
  bool admin_only = std::find(admin_ops.begin(), admin_ops.end(), operation) != admin_ops.end();
  if (admin_only && !m->is_admin()) {
    throw Error("ERROR_USER_INVALID_GROUP_PERMISSIONS",
                "You need " + std::string(operation) + " permissions.");
  }
  return *m;
}

void CheckCanCreateWorkspace(store::Tx& tx, const Actor& actor) {
  if (actor.is_staff) return;
  if (!SettingsService::Load(tx).allow_global_workspace_creation) throw Error("PERMISSION_DENIED");
}

json::array PermissionObjects(store::Tx& tx, const Actor& actor,
                              std::optional<int64_t> workspace_id) {
  InstanceSettings settings = SettingsService::Load(tx);
  json::array out;
  out.push_back(json::object{{"name", "core"}, {"permissions", json::array{"list_workspaces"}}});

  json::array staff_only, always_allowed;
  (settings.allow_global_workspace_creation ? always_allowed : staff_only)
      .push_back("create_workspace");
  out.push_back(json::object{
      {"name", "setting_operation"},
      {"permissions", json::object{{"staff_only_operations", std::move(staff_only)},
                                   {"always_allowed_operations", std::move(always_allowed)}}}});
  out.push_back(json::object{
      {"name", "staff"},
      {"permissions", json::object{{"staff_only_operations", json::array{"settings.update"}},
                                   {"is_staff", actor.is_staff}}}});
  out.push_back(json::object{
      {"name", "allow_if_template"},
      {"permissions",
       json::object{{"allowed_operations_on_templates",
                     json::array{"workspace.read", "workspace.list_applications",
                                 "application.list_integrations", "application.list_user_sources",
                                 "application.user_source.login",
                                 "database.table.field_rules.read_field_rules",
                                 "database.list_tables", "database.table.list_fields",
                                 "database.table.list_rows", "database.table.list_views",
                                 "database.table.read_row", "database.table.view.read",
                                 "database.table.view.read_field_options",
                                 "database.table.view.list_decoration",
                                 "database.table.view.list_aggregations",
                                 "database.table.view.read_aggregation"}},
                    {"workspace_template_ids", json::array{}}}}});
  std::optional<Membership> membership;
  if (workspace_id) membership = FindMembership(tx, actor.user_id, *workspace_id);
  if (!membership) {
    out.push_back(json::object{{"name", "member"}, {"permissions", false}});
  } else {
    json::array ops;
    for (const auto& op : AdminOnlyOperations()) ops.push_back(json::string(op));
    out.push_back(json::object{
        {"name", "basic"},
        {"permissions",
         json::object{{"admin_only_operations", std::move(ops)}, {"is_admin", membership->is_admin()}}}});
  }
  return out;
}

}  // namespace gridbase::services
