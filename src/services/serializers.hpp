#pragma once
// JSON shapes of Baserow's serializers for the objects of this area.
#include <boost/json/object.hpp>

#include "services/models.hpp"

namespace gridbase::api {

boost::json::object UserJson(const services::User& u);
boost::json::object MemberJson(const services::Member& m);
boost::json::object WorkspaceJson(const services::Workspace& w);
boost::json::object WorkspaceWithMembersJson(const services::WorkspaceWithMembers& w,
                                             bool with_unread_count);
boost::json::object TableJson(const services::TableRef& t);
boost::json::object ApplicationJson(const services::Application& a);
boost::json::object SettingsJson(const services::InstanceSettings& s);

}  // namespace gridbase::api
