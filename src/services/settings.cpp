#include "services/settings.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "util/crypto.hpp"
#include "util/error.hpp"

namespace gridbase::services {

namespace json = boost::json;

InstanceSettings SettingsService::Load(store::Tx& tx) {
  InstanceSettings s;
  auto c = tx.Query("SELECT key, value FROM instance_settings");
  while (c->Next()) {
    std::string_view key = c->Text(0);
    boost::system::error_code ec;
    json::value v = json::parse(c->Text(1), ec);
    if (ec) continue;
    if (key == "allow_new_signups" && v.is_bool()) s.allow_new_signups = v.as_bool();
    else if (key == "allow_signups_via_workspace_invitations" && v.is_bool())
      s.allow_signups_via_workspace_invitations = v.as_bool();
    else if (key == "allow_reset_password" && v.is_bool()) s.allow_reset_password = v.as_bool();
    else if (key == "allow_global_workspace_creation" && v.is_bool())
      s.allow_global_workspace_creation = v.as_bool();
    else if (key == "account_deletion_grace_delay" && v.is_int64())
      s.account_deletion_grace_delay = v.as_int64();
    else if (key == "track_workspace_usage" && v.is_bool()) s.track_workspace_usage = v.as_bool();
    else if (key == "show_baserow_help_request" && v.is_bool())
      s.show_baserow_help_request = v.as_bool();
    else if (key == "email_verification" && v.is_string())
      s.email_verification = std::string(v.as_string());
    else if (key == "verify_import_signature" && v.is_bool())
      s.verify_import_signature = v.as_bool();
  }
  s.show_admin_signup_page = !tx.QueryInt("SELECT id FROM users LIMIT 1").has_value();
  return s;
}

InstanceSettings SettingsService::Get() {
  return store_.ReadResult([](store::Tx& tx) { return Load(tx); });
}

InstanceSettings SettingsService::Update(const Actor& actor, const json::object& patch) {
  if (!actor.is_staff) throw Error("PERMISSION_DENIED");
  return store_.WriteResult([&](store::Tx& tx) {
    for (const auto& [key, value] : patch) {
      if (key == "show_admin_signup_page" || key == "co_branding_logo") continue;
      tx.Exec(
          "INSERT INTO instance_settings (key, value) VALUES (?, ?) "
          "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
          std::string_view(key), json::serialize(value));
    }
    return Load(tx);
  });
}

std::string SettingsService::InstanceId() {
  return store_.WriteResult([](store::Tx& tx) {
    if (auto v = tx.QueryText("SELECT value FROM instance_settings WHERE key = 'instance_id'")) {
      boost::system::error_code ec;
      json::value parsed = json::parse(*v, ec);
      if (!ec && parsed.is_string()) return std::string(parsed.as_string());
    }
    std::string id = util::RandomAlphanumeric(32);
    tx.Exec("INSERT INTO instance_settings (key, value) VALUES ('instance_id', ?)",
            json::serialize(json::string(id)));
    return id;
  });
}

}  // namespace gridbase::services
