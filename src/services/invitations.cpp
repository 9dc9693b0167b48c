#include "services/invitations.hpp"

#include <fmt/format.h>

#include <regex>
#include <set>

#include "services/outbox.hpp"
#include "services/permissions.hpp"
#include "services/serializers.hpp"
#include "services/users.hpp"
#include "services/workspaces.hpp"
#include "util/error.hpp"
#include "util/jwt.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"
#include "util/validate.hpp"

namespace gridbase::services {

namespace json = boost::json;

namespace invitation_impl {

constexpr const char* kSelect =
    "SELECT i.id, i.workspace_id, w.name, u.first_name, i.email, i.permissions, i.message, i.created_on "
    "FROM workspace_invitations i JOIN workspaces w ON w.id = i.workspace_id JOIN users u ON u.id = i.invited_by ";

struct Invitation {
  int64_t id = 0;
  int64_t workspace_id = 0;
  std::string workspace_name;
  std::string invited_by;
  std::string email;
  std::string permissions;
  std::string message;
  int64_t created_on = 0;
};

Invitation Read(const store::Cursor& c) {
  return Invitation{c.Int(0), c.Int(1), c.String(2), c.String(3), c.String(4), c.String(5), c.String(6), c.Int(7)};
}

std::optional<Invitation> Find(store::Tx& tx, int64_t id) {
  auto c = tx.Query(std::string(kSelect) + "WHERE i.id = ? AND w.trashed = 0", id);
  if (!c->Next()) return std::nullopt;
  return Read(*c);
}

Invitation Require(store::Tx& tx, int64_t id) {
  auto inv = Find(tx, id);
  if (!inv) throw Error("ERROR_GROUP_INVITATION_DOES_NOT_EXIST");
  return *inv;
}

json::object AdminJson(const Invitation& i) {
  return json::object{{"id", i.id},
                      {"workspace", i.workspace_id},
                      {"email", i.email},
                      {"permissions", i.permissions},
                      {"message", i.message},
                      {"created_on", util::FormatIsoMicros(i.created_on)}};
}

json::object InviteeJson(const Invitation& i, json::value email_exists) {
  return json::object{{"id", i.id},
                      {"invited_by", i.invited_by},
                      {"workspace", i.workspace_name},
                      {"email", i.email},
                      {"message", i.message},
                      {"created_on", util::FormatIsoMicros(i.created_on)},
                      {"email_exists", std::move(email_exists)}};
}

/// Tells the invited user, when an account with that address exists (realtime.md §5.1; never
/// suppressed by the caller's WebSocketId).
void RecordInvitationEvent(store::Tx& tx, const Actor& actor, const char* type, const Invitation& inv) {
  auto user = tx.QueryInt("SELECT id FROM users WHERE email = ?", inv.email);
  if (!user) return;
  OutboxEvent e;
  e.type = type;
  e.workspace_id = inv.workspace_id;
  e.recipients = std::vector<int64_t>{*user};
  e.exclude_sender = false;
  e.message = json::serialize(json::object{{"type", type}, {"invitation", InviteeJson(inv, nullptr)}});
  RecordEvent(tx, actor, e);
}

std::optional<std::string> HostOf(std::string_view url) {
  static const std::regex kUrl(R"(^[a-zA-Z][a-zA-Z0-9+.-]*://(?:[^@/]*@)?(\[[^\]]+\]|[^:/?#]+)(?::\d+)?(?:[/?#].*)?$)");
  std::cmatch m;
  if (!std::regex_match(url.begin(), url.end(), m, kUrl)) return std::nullopt;
  return util::ToLower(m[1].str());
}

std::string ValidPermissions(util::Validator& v, bool required) {
  util::StringRule rule;
  rule.required = required;
  rule.max_length = 32;
  auto p = v.String("permissions", rule);
  if (p && *p != "ADMIN" && *p != "MEMBER") {
    v.Fail("permissions", fmt::format("\"{}\" is not a valid choice.", *p), "invalid_choice");
    return {};
  }
  return p.value_or("");
}

}  // namespace invitation_impl

using namespace invitation_impl;

std::string InvitationService::Token(int64_t invitation_id) const {
  return util::SignValue(secret_, "workspace-invite", std::to_string(invitation_id));
}

int64_t InvitationService::IdFromToken(const std::string& token) const {
  auto payload = util::UnsignValue(secret_, "workspace-invite", token);
  if (!payload || payload->empty() || payload->size() > 18 ||
      payload->find_first_not_of("0123456789") != std::string::npos) {
    throw Error("BAD_TOKEN_SIGNATURE");
  }
  return std::stoll(*payload);
}

json::array InvitationService::List(const Actor& actor, int64_t workspace_id, const InvitationQuery& q) {
  std::string order_by;
  std::set<std::string> seen;
  if (!q.sorts.empty()) {
    for (auto item : util::Split(q.sorts, ',')) {
      if (item.empty() || (item[0] != '+' && item[0] != '-')) throw Error("ERROR_INVALID_SORT_DIRECTION");
      std::string attr(item.substr(1));
      if (item.size() <= 2 || (attr != "email" && attr != "message") || !seen.insert(attr).second) {
        throw Error("ERROR_INVALID_SORT_ATTRIBUTE");
      }
      order_by += "i." + attr + (item[0] == '-' ? " DESC, " : " ASC, ");
    }
  }
  order_by += "i.id ASC";
  return store_.ReadResult([&](store::Tx& tx) {
    WorkspaceService::Require(tx, workspace_id);
    CheckWorkspacePermission(tx, actor, workspace_id, "workspace.list_invitations");
    std::string pattern = "%" + util::ToLower(q.search) + "%";
    auto c = tx.Query(std::string(kSelect) +
                          "WHERE i.workspace_id = ? AND (? = '' OR lower(i.email) LIKE ? OR lower(i.message) LIKE ?) "
                          "ORDER BY " + order_by,
                      workspace_id, q.search, pattern, pattern);
    json::array out;
    while (c->Next()) out.push_back(AdminJson(Read(*c)));
    return out;
  });
}

json::object InvitationService::Create(const Actor& actor, int64_t workspace_id, const json::value& body) {
  util::Validator v(body);
  auto email = v.Email("email");
  std::string permissions = ValidPermissions(v, true);
  util::StringRule message_rule;
  message_rule.required = false;
  message_rule.allow_blank = true;
  message_rule.max_length = 250;
  auto message = v.String("message", message_rule);
  util::StringRule url_rule;
  url_rule.max_length = 2000;
  auto base_url = v.String("base_url", url_rule);
  if (base_url && !HostOf(*base_url)) {
    v.Fail("base_url", "Enter a valid URL.", "invalid");
    base_url.reset();
  }
  v.Check();
  std::string normalized = NormalizeEmail(*email);
  auto result = store_.WriteResult([&](store::Tx& tx) {
    WorkspaceService::Require(tx, workspace_id);
    CheckWorkspacePermission(tx, actor, workspace_id, "workspace.create_invitation");
    if (tx.QueryInt("SELECT wu.id FROM workspace_users wu JOIN users u ON u.id = wu.user_id "
                    "WHERE wu.workspace_id = ? AND u.email = ?",
                    workspace_id, normalized)) {
      throw Error("ERROR_GROUP_USER_ALREADY_EXISTS");
    }
    if (!frontend_url_.empty() && HostOf(frontend_url_) != HostOf(*base_url)) {
      throw Error("ERROR_HOSTNAME_IS_NOT_ALLOWED");
    }
    auto existing = tx.QueryInt("SELECT id FROM workspace_invitations WHERE workspace_id = ? AND email = ?",
                                workspace_id, normalized);
    int64_t id;
    if (existing) {
      id = *existing;
      tx.Exec("UPDATE workspace_invitations SET permissions = ?, message = ?, invited_by = ? WHERE id = ?",
              permissions, message.value_or(""), actor.user_id, id);
    } else {
      id = *tx.QueryInt(
          "INSERT INTO workspace_invitations (workspace_id, invited_by, email, permissions, message, created_on) "
          "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
          workspace_id, actor.user_id, normalized, permissions, message.value_or(""), util::NowMicros());
    }
    auto created = Require(tx, id);
    RecordInvitationEvent(tx, actor, "workspace_invitation_updated_or_created", created);
    return created;
  });
  std::string link = *base_url;
  if (link.empty() || link.back() != '/') link += '/';
  link += Token(result.id);
  mailer_.Send(result.email, fmt::format("{} invited you to {}", result.invited_by, result.workspace_name),
               fmt::format("{} invited you to join the workspace \"{}\".\n\n{}\n\nAccept the invitation: {}\n",
                           result.invited_by, result.workspace_name, result.message, link));
  return AdminJson(result);
}

json::object InvitationService::Get(const Actor& actor, int64_t invitation_id) {
  return store_.ReadResult([&](store::Tx& tx) {
    auto inv = Require(tx, invitation_id);
    CheckWorkspacePermission(tx, actor, inv.workspace_id, "invitation.read");
    return AdminJson(inv);
  });
}

json::object InvitationService::Update(const Actor& actor, int64_t invitation_id, const json::value& body) {
  util::Validator v(body);
  std::string permissions = ValidPermissions(v, true);
  v.Check();
  return store_.WriteResult([&](store::Tx& tx) {
    auto inv = Require(tx, invitation_id);
    CheckWorkspacePermission(tx, actor, inv.workspace_id, "invitation.update");
    tx.Exec("UPDATE workspace_invitations SET permissions = ? WHERE id = ?", permissions, invitation_id);
    auto updated = Require(tx, invitation_id);
    RecordInvitationEvent(tx, actor, "workspace_invitation_updated_or_created", updated);
    return AdminJson(updated);
  });
}

void InvitationService::Delete(const Actor& actor, int64_t invitation_id) {
  store_.Write([&](store::Tx& tx) {
    auto inv = Require(tx, invitation_id);
    CheckWorkspacePermission(tx, actor, inv.workspace_id, "invitation.delete");
    tx.Exec("DELETE FROM workspace_invitations WHERE id = ?", invitation_id);
  });
}

int64_t InvitationService::AcceptInTx(store::Tx& tx, int64_t invitation_id, int64_t user_id, const std::string& email) {
  auto inv = Require(tx, invitation_id);
  if (inv.email != email) throw Error("ERROR_GROUP_INVITATION_EMAIL_MISMATCH");
  if (auto m = FindMembership(tx, user_id, inv.workspace_id)) {
    tx.Exec("UPDATE workspace_users SET permissions = ? WHERE id = ?", inv.permissions, m->id);
  } else {
    int64_t position =
        tx.QueryInt("SELECT COALESCE(MAX(position), 0) + 1 FROM workspace_users WHERE user_id = ?", user_id).value_or(1);
    tx.Exec("INSERT INTO workspace_users (workspace_id, user_id, permissions, position, created_on) VALUES (?, ?, ?, ?, ?)",
            inv.workspace_id, user_id, inv.permissions, position, util::NowMicros());
  }
  tx.Exec("DELETE FROM workspace_invitations WHERE id = ?", invitation_id);
  return inv.workspace_id;
}

WorkspaceWithMembers InvitationService::Accept(const Actor& actor, int64_t invitation_id) {
  return store_.WriteResult([&](store::Tx& tx) {
    auto email = tx.QueryText("SELECT email FROM users WHERE id = ?", actor.user_id).value_or("");
    auto before = Require(tx, invitation_id);
    int64_t workspace_id = AcceptInTx(tx, invitation_id, actor.user_id, email);
    RecordInvitationEvent(tx, actor, "workspace_invitation_accepted", before);
    for (const auto& m : WorkspaceService::LoadMembers(tx, workspace_id)) {
      if (m.user_id != actor.user_id) continue;
      OutboxEvent e;
      e.type = "group_user_added";
      e.workspace_id = workspace_id;
      e.recipients = WorkspaceMemberIds(tx, workspace_id);
      e.message = json::serialize(json::object{{"type", "group_user_added"},
                                               {"id", m.id},
                                               {"workspace_id", workspace_id},
                                               {"workspace_user", MemberJson(m)}});
      RecordEvent(tx, actor, e);
    }
    return WorkspaceService::LoadWithMembers(tx, actor.user_id, workspace_id);
  });
}

void InvitationService::Reject(const Actor& actor, int64_t invitation_id) {
  store_.Write([&](store::Tx& tx) {
    auto inv = Require(tx, invitation_id);
    auto email = tx.QueryText("SELECT email FROM users WHERE id = ?", actor.user_id).value_or("");
    if (inv.email != email) throw Error("ERROR_GROUP_INVITATION_EMAIL_MISMATCH");
    tx.Exec("DELETE FROM workspace_invitations WHERE id = ?", invitation_id);
    RecordInvitationEvent(tx, actor, "workspace_invitation_rejected", inv);
  });
}

json::object InvitationService::ByToken(const std::string& token) {
  int64_t id = IdFromToken(token);
  return store_.ReadResult([&](store::Tx& tx) {
    auto inv = Require(tx, id);
    bool exists = tx.QueryInt("SELECT id FROM users WHERE email = ?", inv.email).has_value();
    return InviteeJson(inv, exists);
  });
}

json::array InvitationService::ForUser(const Actor& actor) {
  return store_.ReadResult([&](store::Tx& tx) {
    auto email = tx.QueryText("SELECT email FROM users WHERE id = ?", actor.user_id).value_or("");
    auto c = tx.Query(std::string(kSelect) + "WHERE i.email = ? AND w.trashed = 0 ORDER BY i.id", email);
    json::array out;
    while (c->Next()) out.push_back(InviteeJson(Read(*c), nullptr));
    return out;
  });
}

}  // namespace gridbase::services
