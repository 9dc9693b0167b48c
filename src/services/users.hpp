#pragma once
// Accounts: registration (with a first workspace and database), password login, account
// updates, password changes.
#include <optional>
#include <string>
#include <vector>

#include "services/models.hpp"
#include "store/store.hpp"

namespace gridbase::services {

struct RegisterInput {
  std::string name;
  std::string email;  // already normalised
  std::string password;
  std::string language = "en";
  bool staff = false;  // forced staff (CLI create-user); the first account is staff anyway
  /// Sign-up through an invitation: the account joins that workspace instead of getting a
  /// first workspace of its own. `raw_email` is the address as sent (Baserow compares it).
  std::optional<int64_t> invitation_id;
  std::string raw_email;
};

struct AccountPatch {
  std::optional<std::string> first_name;
  std::optional<std::string> language;
  std::optional<std::string> email_notification_frequency;
  std::optional<bool> completed_onboarding;
  std::optional<std::vector<std::string>> completed_guided_tours;  // merged (set union)
};

/// Lower-cases and trims an e-mail address the way Baserow normalises usernames.
std::string NormalizeEmail(std::string_view email);

class UserService {
 public:
  explicit UserService(store::Store& store) : store_(store) {}

  /// Creates the account, its first workspace ("<name>'s workspace", ADMIN) and a database
  /// ("<name>'s company") in one transaction. The very first account becomes staff.
  /// Throws ERROR_EMAIL_ALREADY_EXISTS, ERROR_DEACTIVATED_USER, ERROR_DISABLED_SIGNUP.
  User Register(const RegisterInput& input, bool enforce_signup_setting = true);

  /// Password login; cancels a scheduled deletion. Throws ERROR_INVALID_CREDENTIALS or
  /// ERROR_DEACTIVATED_USER.
  User Login(std::string_view email, std::string_view password);

  std::optional<User> Get(int64_t id);
  User UpdateAccount(const Actor& actor, const AccountPatch& patch);
  /// Throws ERROR_INVALID_OLD_PASSWORD. Invalidates every token issued before now.
  void ChangePassword(const Actor& actor, std::string_view old_password, std::string_view new_password);

 private:
  store::Store& store_;
};

}  // namespace gridbase::services
