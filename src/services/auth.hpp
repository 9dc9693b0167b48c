#pragma once
// Sessions: access/refresh JWTs with Baserow's claims and lifetimes, the refresh-token
// blacklist, and the opaque `user_session` string.
#include <optional>
#include <string>
#include <string_view>

#include "services/models.hpp"
#include "store/store.hpp"

namespace gridbase::services {

struct AuthConfig {
  std::string secret_key;
  int64_t access_lifetime_seconds = 10 * 60;
  int64_t refresh_lifetime_seconds = 168 * 3600;
};

struct SessionTokens {
  std::string access_token;
  std::string refresh_token;
  std::string user_session;
};

enum class AccessCheck { kOk, kInvalidToken, kUserNotFound, kDeactivated };

class AuthService {
 public:
  AuthService(store::Store& store, AuthConfig config) : store_(store), config_(std::move(config)) {}

  const AuthConfig& config() const { return config_; }

  /// Access + refresh token (with `verified_email_claim`) and the signed user_session.
  SessionTokens IssueSession(const User& user) const;
  std::string IssueAccessToken(const User& user) const;

  /// Resolves `Authorization: JWT <token>`. A token is refused when its signature, `exp` or
  /// `token_type` is wrong, or when it was issued before the user's last password change.
  AccessCheck CheckAccessToken(std::string_view token, User* user) const;

  /// The user of a valid, non-blacklisted refresh token of an active user without pending
  /// deletion; otherwise throws ERROR_INVALID_REFRESH_TOKEN.
  User CheckRefreshToken(std::string_view token) const;

  /// Stores the token's hash until it expires. Throws ERROR_INVALID_REFRESH_TOKEN or
  /// ERROR_REFRESH_TOKEN_ALREADY_BLACKLISTED.
  void Blacklist(std::string_view refresh_token) const;

 private:
  std::string Issue(const User& user, std::string_view type, int64_t lifetime, bool email_claim) const;
  store::Store& store_;
  AuthConfig config_;
};

/// Loads a user by id (nullopt when absent).
std::optional<User> LoadUser(store::Tx& tx, int64_t id);
std::optional<User> LoadUserByEmail(store::Tx& tx, std::string_view email);

}  // namespace gridbase::services
