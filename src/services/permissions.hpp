#pragma once
// The one authorisation layer: every service asks here whether an actor may perform an
// operation on a workspace, mirroring Baserow's OSS permission managers (core, staff,
// member, basic). Operation names are Baserow's ("workspace.update", …).
#include <boost/json/array.hpp>
#include <optional>
#include <string_view>

#include "services/models.hpp"
#include "store/store.hpp"

namespace gridbase::services {

struct Membership {
  int64_t id = 0;
  std::string permissions;
  bool is_admin() const { return permissions == "ADMIN"; }
};

/// Baserow's admin-only operations of the `basic` manager, in Baserow's order.
const std::vector<std::string>& AdminOnlyOperations();

/// The caller's membership of `workspace_id`, if any.
std::optional<Membership> FindMembership(store::Tx& tx, int64_t user_id, int64_t workspace_id);

/// Throws ERROR_USER_NOT_IN_GROUP when the actor is not a member, and
/// ERROR_USER_INVALID_GROUP_PERMISSIONS when `operation` is admin-only and the actor is not
/// an admin. The workspace must already be known to exist.
Membership CheckWorkspacePermission(store::Tx& tx, const Actor& actor, int64_t workspace_id,
                                    std::string_view operation);

/// Throws PERMISSION_DENIED when the actor may not create workspaces.
void CheckCanCreateWorkspace(store::Tx& tx, const Actor& actor);

/// The permission objects of frontend.md §3: global (workspace_id empty) or per workspace.
boost::json::array PermissionObjects(store::Tx& tx, const Actor& actor,
                                     std::optional<int64_t> workspace_id);

}  // namespace gridbase::services
