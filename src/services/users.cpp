#include "services/users.hpp"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>

#include "services/applications.hpp"
#include "services/auth.hpp"
#include "services/invitations.hpp"
#include "services/outbox.hpp"
#include "services/settings.hpp"
#include "services/tables.hpp"
#include "services/workspaces.hpp"
#include "util/crypto.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

namespace gridbase::services {

namespace json = boost::json;

std::string NormalizeEmail(std::string_view email) {
  return util::ToLower(util::Trim(email));
}

User UserService::Register(const RegisterInput& input, bool enforce_signup_setting) {
  // Hash outside the write transaction: it is the slow part (tens of ms).
  std::string hash = util::HashPassword(input.password);
  int64_t user_id = store_.WriteResult([&](store::Tx& tx) {
    if (auto existing = LoadUserByEmail(tx, input.email)) {
      if (!existing->is_active) throw Error("ERROR_DEACTIVATED_USER");
      throw Error("ERROR_EMAIL_ALREADY_EXISTS");
    }
    bool first = !tx.QueryInt("SELECT id FROM users LIMIT 1").has_value();
    auto settings = SettingsService::Load(tx);
    bool via_invitation = input.invitation_id && settings.allow_signups_via_workspace_invitations;
    if (enforce_signup_setting && !first && !settings.allow_new_signups && !via_invitation) {
      throw Error("ERROR_DISABLED_SIGNUP");
    }
    int64_t now = util::NowMicros();
    int64_t id = *tx.QueryInt(
        "INSERT INTO users (email, first_name, password_hash, is_staff, language, "
        "completed_onboarding, date_joined) VALUES (?, ?, ?, ?, ?, 1, ?) RETURNING id",
        input.email, input.name, hash, first || input.staff, input.language, now);
    if (input.invitation_id) {
      InvitationService::AcceptInTx(tx, *input.invitation_id, id, input.raw_email);
      tx.Exec("UPDATE users SET email_verified = 1 WHERE id = ?", id);
      return id;
    }
    // As Baserow's API documentation describes: the account starts with a workspace that
    // holds a database, so onboarding is complete.
    int64_t ws = WorkspaceService::CreateInTx(tx, id, input.name + "'s workspace");
    int64_t db = ApplicationService::CreateInTx(tx, ws, "database", input.name + "'s company");
    TableService::FillExampleDatabase(tx, db);
    return id;
  });
  return *Get(user_id);
}

User UserService::Login(std::string_view email, std::string_view password) {
  auto user = store_.ReadResult([&](store::Tx& tx) { return LoadUserByEmail(tx, email); });
  if (!user || !util::VerifyPassword(user->password_hash, password)) {
    throw Error("ERROR_INVALID_CREDENTIALS");
  }
  if (!user->is_active) throw Error("ERROR_DEACTIVATED_USER");
  store_.Write([&](store::Tx& tx) {
    tx.Exec("UPDATE users SET last_login = ?, to_be_deleted = 0 WHERE id = ?", util::NowMicros(),
            user->id);
  });
  user->to_be_deleted = false;
  return *user;
}

std::optional<User> UserService::Get(int64_t id) {
  return store_.ReadResult([&](store::Tx& tx) { return LoadUser(tx, id); });
}

User UserService::UpdateAccount(const Actor& actor, const AccountPatch& patch) {
  int64_t user_id = actor.user_id;
  store_.Write([&](store::Tx& tx) {
    auto user = LoadUser(tx, user_id);
    if (!user) throw Error("ERROR_USER_NOT_FOUND");
    if (patch.first_name)
      tx.Exec("UPDATE users SET first_name = ? WHERE id = ?", *patch.first_name, user_id);
    if (patch.language)
      tx.Exec("UPDATE users SET language = ? WHERE id = ?", *patch.language, user_id);
    if (patch.email_notification_frequency)
      tx.Exec("UPDATE users SET email_notification_frequency = ? WHERE id = ?",
              *patch.email_notification_frequency, user_id);
    if (patch.completed_onboarding)
      tx.Exec("UPDATE users SET completed_onboarding = ? WHERE id = ?",
              *patch.completed_onboarding, user_id);
    if (patch.completed_guided_tours) {
      auto tours = user->completed_guided_tours;
      for (const auto& t : *patch.completed_guided_tours) {
        if (std::find(tours.begin(), tours.end(), t) == tours.end()) tours.push_back(t);
      }
      json::array arr;
      for (const auto& t : tours) arr.push_back(json::string(t));
      tx.Exec("UPDATE users SET completed_guided_tours = ? WHERE id = ?", json::serialize(arr),
              user_id);
    }
    if (patch.first_name && *patch.first_name != user->first_name) {
      // user_updated to the members of every workspace of the user (realtime.md §5.1).
      std::vector<int64_t> recipients;
      auto c = tx.Query("SELECT DISTINCT o.user_id FROM workspace_users m JOIN workspace_users o "
                        "ON o.workspace_id = m.workspace_id WHERE m.user_id = ? ORDER BY o.user_id",
                        user_id);
      while (c->Next()) recipients.push_back(c->Int(0));
      c.reset();
      if (recipients.empty()) recipients.push_back(user_id);
      OutboxEvent e;
      e.type = "user_updated";
      e.recipients = std::move(recipients);
      e.message = json::serialize(json::object{
          {"type", "user_updated"},
          {"user", json::object{{"id", user_id}, {"username", user->email}, {"first_name", *patch.first_name}}}});
      RecordEvent(tx, actor, e);
    }
  });
  return *Get(user_id);
}

void UserService::ChangePassword(const Actor& actor, std::string_view old_password,
                                 std::string_view new_password) {
  int64_t user_id = actor.user_id;
  auto user = Get(user_id);
  if (!user) throw Error("ERROR_USER_NOT_FOUND");
  if (!util::VerifyPassword(user->password_hash, old_password)) {
    throw Error("ERROR_INVALID_OLD_PASSWORD");
  }
  std::string hash = util::HashPassword(new_password);
  store_.Write([&](store::Tx& tx) {
    tx.Exec("UPDATE users SET password_hash = ?, last_password_change = ? WHERE id = ?", hash,
            util::NowMicros(), user_id);
    // Every other connection of the user is closed (realtime.md §1).
    OutboxEvent e;
    e.type = "force_disconnect";
    e.recipients = std::vector<int64_t>{user_id};
    e.message = R"({"type":"force_disconnect"})";
    RecordEvent(tx, actor, e);
  });
}

}  // namespace gridbase::services
