#pragma once
// Plain domain records handed between services and the API layer.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace gridbase::services {

struct User {
  int64_t id = 0;
  std::string email;  // normalised; Baserow's `username`
  std::string first_name;
  std::string password_hash;
  bool is_staff = false;
  bool is_active = true;
  std::string language = "en";
  std::string email_notification_frequency = "instant";
  bool email_verified = false;
  bool completed_onboarding = false;
  std::vector<std::string> completed_guided_tours;
  bool to_be_deleted = false;
  std::optional<int64_t> last_password_change;  // micros
};

/// One grant of a database token: an operation on the whole workspace (scope_id 0), a
/// database or a table.
struct TokenGrant {
  std::string operation;  // create, read, update, delete
  std::string scope;      // workspace, database, table
  int64_t scope_id = 0;
};

/// A database token acting for its user.
struct TokenActor {
  int64_t id = 0;
  int64_t workspace_id = 0;
  std::vector<TokenGrant> grants;
};

/// Who is calling: a user (JWT), or a user through one of their database tokens.
struct Actor {
  int64_t user_id = 0;
  bool is_staff = false;
  std::optional<TokenActor> token;
  /// The caller's realtime connection (`WebSocketId` header of a JWT request): the messages
  /// its change causes are not echoed to that connection (realtime.md §3).
  std::string websocket_id;
  /// `send_webhook_events` (rows.md §1): false keeps row events from webhooks.
  bool send_webhook_events = true;
};

struct Workspace {
  int64_t id = 0;
  std::string name;
  int64_t created_on = 0;
};

struct Member {
  int64_t id = 0;  // membership id
  int64_t workspace_id = 0;
  int64_t user_id = 0;
  std::string name;
  std::string email;
  std::string permissions;
  int64_t created_on = 0;
  bool to_be_deleted = false;
};

struct WorkspaceWithMembers {
  Workspace workspace;
  std::vector<Member> users;
  int64_t order = 0;        // the caller's
  std::string permissions;  // the caller's
};

struct TableRef {
  int64_t id = 0;
  std::string name;
  int64_t order = 0;
  int64_t database_id = 0;
};

struct Application {
  int64_t id = 0;
  std::string name;
  int64_t order = 0;
  std::string type;
  Workspace workspace;
  int64_t created_on = 0;
  std::vector<TableRef> tables;
};

struct InstanceSettings {
  bool allow_new_signups = true;
  bool allow_signups_via_workspace_invitations = true;
  bool allow_reset_password = true;
  bool allow_global_workspace_creation = true;
  int64_t account_deletion_grace_delay = 30;
  bool show_admin_signup_page = true;  // derived: no account exists yet
  bool track_workspace_usage = false;
  bool show_baserow_help_request = true;
  std::string email_verification = "no_verification";
  bool verify_import_signature = true;
};

}  // namespace gridbase::services
