#pragma once
// JSON shapes of Baserow's serializers for users, workspaces, members, tables and
// applications: used by the API responses and by the realtime messages of the same objects.
#include <boost/json/object.hpp>

#include "services/models.hpp"

namespace gridbase::services {

boost::json::object UserJson(const User& u);
boost::json::object MemberJson(const Member& m);
boost::json::object WorkspaceJson(const Workspace& w);
boost::json::object WorkspaceWithMembersJson(const WorkspaceWithMembers& w,
                                             bool with_unread_count);
boost::json::object TableJson(const TableRef& t);
boost::json::object ApplicationJson(const Application& a);
boost::json::object SettingsJson(const InstanceSettings& s);

}  // namespace gridbase::services
