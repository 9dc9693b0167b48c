#pragma once
// Workspace invitations (workspaces.md §5): admins invite by e-mail with a role; the mail
// carries a signed token; the invitee accepts or rejects, or signs up with the token.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <optional>
#include <string>

#include "services/mailer.hpp"
#include "services/models.hpp"
#include "store/store.hpp"

namespace gridbase::services {

struct InvitationQuery {
  std::string search;
  std::string sorts;
};

class InvitationService {
 public:
  /// `frontend_url`: when set, `base_url` of new invitations must have its host name.
  InvitationService(store::Store& store, std::string secret_key, Mailer& mailer, std::string frontend_url)
      : store_(store), secret_(std::move(secret_key)), mailer_(mailer), frontend_url_(std::move(frontend_url)) {}

  boost::json::array List(const Actor& actor, int64_t workspace_id, const InvitationQuery& q);
  boost::json::object Create(const Actor& actor, int64_t workspace_id, const boost::json::value& body);
  boost::json::object Get(const Actor& actor, int64_t invitation_id);
  boost::json::object Update(const Actor& actor, int64_t invitation_id, const boost::json::value& body);
  void Delete(const Actor& actor, int64_t invitation_id);
  /// The workspace-with-membership object of the joined workspace.
  WorkspaceWithMembers Accept(const Actor& actor, int64_t invitation_id);
  void Reject(const Actor& actor, int64_t invitation_id);
  boost::json::object ByToken(const std::string& token);
  /// Pending invitations addressed to the user (GET user/dashboard/).
  boost::json::array ForUser(const Actor& actor);

  /// The invitation id in a signed token, else BAD_TOKEN_SIGNATURE.
  int64_t IdFromToken(const std::string& token) const;
  /// Inside a write transaction: makes `user_id` a member with the invitation's role and
  /// deletes the invitation. Throws ERROR_GROUP_INVITATION_DOES_NOT_EXIST or
  /// ERROR_GROUP_INVITATION_EMAIL_MISMATCH (compared with `email`).
  static int64_t AcceptInTx(store::Tx& tx, int64_t invitation_id, int64_t user_id, const std::string& email);

 private:
  std::string Token(int64_t invitation_id) const;
  store::Store& store_;
  std::string secret_;
  Mailer& mailer_;
  std::string frontend_url_;
};

}  // namespace gridbase::services
