#pragma once
// The BaasBox user realm (baasbox.md §2.4, §5.2, §6.4, §9.2, §9.3): accounts with argon2id
// passwords and four profile sections, built-in and custom roles with inheritance, and the
// admin operations on both. No HTTP here: every refusal is a BbError carrying the spec's
// status and «message»; a refused call changes nothing (validation precedes every write,
// and each operation is one store transaction).
#include <array>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "baasbox/common.hpp"
#include "baasbox/criteria.hpp"

namespace gridbase::store {
class Store;
class Tx;
}

namespace gridbase::baasbox {

/// The four profile sections, in rendering order (§5.2).
inline constexpr std::array<std::string_view, 4> kProfileSections = {
    "visibleByAnonymousUsers", "visibleByTheUser", "visibleByFriends", "visibleByRegisteredUsers"};

/// The 401 (+bb 40101) answer to a session that is unknown, expired or revoked (§2.3 step 3,
/// §3); it names no user.
inline constexpr std::string_view kSessionGoneMessage =
    "Authentication info not valid or not provided. HINT: is your session expired?";

/// One account as stored.
struct BbUser {
  int64_t id = 0;
  std::string uuid;
  std::string username;
  std::string status;  // "ACTIVE" | "SUSPENDED"
  int64_t signup_ms = 0;
  bool generated_username = false;
  int64_t session_gen = 0;
  std::string password_hash;
  std::array<boost::json::object, 4> sections;  // kProfileSections order
  boost::json::array login_info;                 // the `system` section's devices
  std::vector<std::string> roles;                // roles held directly, by name
  bool active() const { return status == "ACTIVE"; }
};

class UserService {
 public:
  explicit UserService(store::Store& store) : store_(store) {}

  /// `internal_admin` and `baasbox` (any case): never REST users (§2.3 step 5, §6.4).
  static bool IsInternal(std::string_view username);

  /// Creates the built-in `admin` (role administrator) unless an account of that name exists.
  /// Returns true when it was created.
  bool EnsureAdmin(const std::string& password);

  std::optional<BbUser> FindByName(std::string_view username);
  std::optional<BbUser> FindById(int64_t id);
  /// The caller record of a user: its direct roles plus all their ancestors (§2.4).
  Caller CallerFor(const BbUser& user);
  /// The unauthenticated caller: role `anonymous` only.
  Caller AnonymousCaller();

  /// The profile of §5.2 as `viewer` may see it (sections it may not read are left out).
  boost::json::object Profile(const BbUser& user, const Caller& viewer);
  /// A user node inside a link (§5.3): that profile for `viewer`, read inside `tx` — what
  /// DocumentOptions::render_user expects. Null when the account is gone.
  boost::json::value LinkedProfile(store::Tx& tx, const Caller& viewer, int64_t user_id);

  /// POST /user (§9.2.1). Returns the new account (role registered).
  BbUser SignUp(const boost::json::object& body);
  /// Password check for login and Basic auth: the account when it exists, is active and the
  /// password matches.
  std::optional<BbUser> CheckPassword(std::string_view username, std::string_view password);
  /// Remembers a device sent in login_data (`os`, `deviceId`/`pushToken`) in `system.login_info`.
  void RecordLoginDevice(int64_t user_id, const boost::json::object& login_data);
  /// POST /logout/{pushToken}: forgets that device.
  void RemoveDevice(int64_t user_id, std::string_view push_token);

  /// PUT /me (§9.2.5). Returns the updated account.
  BbUser UpdateOwnProfile(int64_t user_id, const boost::json::object& body);
  /// PUT /me/password (§9.2.6); bumps session_gen.
  void ChangeOwnPassword(int64_t user_id, const boost::json::object& body);
  /// PUT /me/username (§9.2.7); bumps session_gen.
  void ChangeOwnUsername(int64_t user_id, const boost::json::object& body);
  /// Suspends (bumps session_gen) or re-activates an account.
  void SetStatus(int64_t user_id, bool active);

  /// GET /users and GET /admin/user (§9.2.10, §9.3): every account (internal ones never exist
  /// here) filtered by `criteria` over the paths of §8.6 as `viewer` may read them — a section
  /// the viewer may not read is missing on that row, and `system` is readable by the user and
  /// by administrator/backoffice only. Rows are the viewer's profiles (§5.2); `with_login_info`
  /// adds `system.login_info` (the admin list). Evaluated in memory, in sign-up order. Throws
  /// CriteriaError (§7.6) or BbError (integer parameters, result cap).
  boost::json::array ListUsers(const Caller& viewer, const Criteria& criteria, bool with_login_info);

  // --- admin (§9.3) ----------------------------------------------------------------------
  /// POST /admin/user.
  void AdminCreate(const boost::json::object& body);
  /// PUT /admin/user/{u}. Returns the updated account.
  BbUser AdminUpdate(std::string_view username, const boost::json::object& body);
  /// PUT /admin/user/{u}/password. Returns the user id (for token revocation).
  int64_t AdminSetPassword(std::string_view username, const boost::json::object& body);
  /// PUT /admin/user/suspend|activate/{u}. Returns the user id.
  int64_t AdminSetStatus(std::string_view username, bool active);

  // --- roles (§9.3.1) --------------------------------------------------------------------
  boost::json::array ListRoles();
  boost::json::object GetRole(std::string_view name);
  void CreateRole(std::string_view name, const boost::json::object& body);
  void EditRole(std::string_view name, const boost::json::object& body);
  void DeleteRole(std::string_view name);

 private:
  store::Store& store_;
};

}  // namespace gridbase::baasbox
