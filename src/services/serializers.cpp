#include "services/serializers.hpp"

#include <boost/json/array.hpp>

#include "util/time.hpp"

namespace gridbase::services {

namespace json = boost::json;

json::object UserJson(const User& u) {
  json::array tours;
  for (const auto& t : u.completed_guided_tours) tours.push_back(json::string(t));
  return json::object{{"first_name", u.first_name},
                      {"username", u.email},
                      {"is_staff", u.is_staff},
                      {"id", u.id},
                      {"language", u.language},
                      {"email_notification_frequency", u.email_notification_frequency},
                      {"email_verified", u.email_verified},
                      {"completed_onboarding", u.completed_onboarding},
                      {"completed_guided_tours", std::move(tours)}};
}

json::object MemberJson(const Member& m) {
  return json::object{{"id", m.id},
                      {"name", m.name},
                      {"email", m.email},
                      {"workspace", m.workspace_id},
                      {"permissions", m.permissions},
                      {"created_on", util::FormatIsoMicros(m.created_on)},
                      {"user_id", m.user_id},
                      {"to_be_deleted", m.to_be_deleted}};
}

json::object WorkspaceJson(const Workspace& w) {
  return json::object{{"id", w.id}, {"name", w.name}, {"generative_ai_models_enabled", json::object{}}};
}

json::object WorkspaceWithMembersJson(const WorkspaceWithMembers& w,
                                      bool with_unread_count) {
  json::array users;
  for (const auto& m : w.users) users.push_back(MemberJson(m));
  json::object out{{"id", w.workspace.id},
                   {"name", w.workspace.name},
                   {"users", std::move(users)},
                   {"order", w.order},
                   {"permissions", w.permissions}};
  if (with_unread_count) out["unread_notifications_count"] = 0;
  out["generative_ai_models_enabled"] = json::object{};
  return out;
}

json::object TableJson(const TableRef& t) {
  return json::object{{"id", t.id},
                      {"name", t.name},
                      {"order", t.order},
                      {"database_id", t.database_id},
                      {"data_sync", nullptr}};
}

json::object ApplicationJson(const Application& a) {
  json::array tables;
  for (const auto& t : a.tables) tables.push_back(TableJson(t));
  return json::object{{"id", a.id},
                      {"name", a.name},
                      {"order", a.order},
                      {"type", a.type},
                      {"workspace", WorkspaceJson(a.workspace)},
                      {"created_on", util::FormatIsoMicros(a.created_on)},
                      {"tables", std::move(tables)}};
}

json::object SettingsJson(const InstanceSettings& s) {
  return json::object{{"allow_new_signups", s.allow_new_signups},
                      {"allow_signups_via_workspace_invitations", s.allow_signups_via_workspace_invitations},
                      {"allow_reset_password", s.allow_reset_password},
                      {"allow_global_workspace_creation", s.allow_global_workspace_creation},
                      {"account_deletion_grace_delay", s.account_deletion_grace_delay},
                      {"show_admin_signup_page", s.show_admin_signup_page},
                      {"track_workspace_usage", s.track_workspace_usage},
                      {"show_baserow_help_request", s.show_baserow_help_request},
                      {"co_branding_logo", nullptr},
                      {"email_verification", s.email_verification},
                      {"verify_import_signature", s.verify_import_signature}};
}

}  // namespace gridbase::services
