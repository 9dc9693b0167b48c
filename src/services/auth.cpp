#include "services/auth.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "util/crypto.hpp"
#include "util/error.hpp"
#include "util/jwt.hpp"
#include "util/time.hpp"

namespace gridbase::services {

namespace json = boost::json;

namespace {

constexpr const char* kUserColumns =
    "id, email, first_name, password_hash, is_staff, is_active, language, "
    "email_notification_frequency, email_verified, completed_onboarding, "
    "completed_guided_tours, to_be_deleted, last_password_change";

User ReadUser(const store::Cursor& c) {
  User u;
  u.id = c.Int(0);
  u.email = c.String(1);
  u.first_name = c.String(2);
  u.password_hash = c.String(3);
  u.is_staff = c.Bool(4);
  u.is_active = c.Bool(5);
  u.language = c.String(6);
  u.email_notification_frequency = c.String(7);
  u.email_verified = c.Bool(8);
  u.completed_onboarding = c.Bool(9);
  boost::system::error_code ec;
  json::value tours = json::parse(c.Text(10), ec);
  if (!ec && tours.is_array()) {
    for (const auto& t : tours.as_array())
      if (t.is_string()) u.completed_guided_tours.emplace_back(t.as_string());
  }
  u.to_be_deleted = c.Bool(11);
  u.last_password_change = c.OptInt(12);
  return u;
}

/// Baserow compares at whole seconds: invalid when the truncated change time is later
/// than the token's iat.
bool IssuedBeforePasswordChange(const User& u, int64_t iat) {
  return u.last_password_change && (*u.last_password_change / 1000000) > iat;
}

std::optional<int64_t> IntClaim(const json::object& claims, std::string_view key) {
  const auto* v = claims.if_contains(key);
  if (!v) return std::nullopt;
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64()) return static_cast<int64_t>(v->as_uint64());
  return std::nullopt;
}

}  // namespace

std::optional<User> LoadUser(store::Tx& tx, int64_t id) {
  auto c = tx.Query(std::string("SELECT ") + kUserColumns + " FROM users WHERE id = ?", id);
  if (!c->Next()) return std::nullopt;
  return ReadUser(*c);
}

std::optional<User> LoadUserByEmail(store::Tx& tx, std::string_view email) {
  auto c = tx.Query(std::string("SELECT ") + kUserColumns + " FROM users WHERE email = ?", email);
  if (!c->Next()) return std::nullopt;
  return ReadUser(*c);
}

std::string AuthService::Issue(const User& user, std::string_view type, int64_t lifetime,
                               bool email_claim) const {
  int64_t now = util::NowSeconds();
  json::object claims;
  claims["token_type"] = type;
  claims["exp"] = now + lifetime;
  claims["iat"] = now;
  claims["jti"] = util::RandomHex(16);
  claims["user_id"] = user.id;
  if (email_claim) claims["verified_email_claim"] = "enforced";
  return util::JwtEncodeHs256(claims, config_.secret_key);
}

std::string AuthService::IssueAccessToken(const User& user) const {
  return Issue(user, "access", config_.access_lifetime_seconds, false);
}

SessionTokens AuthService::IssueSession(const User& user) const {
  SessionTokens t;
  t.access_token = IssueAccessToken(user);
  t.refresh_token = Issue(user, "refresh", config_.refresh_lifetime_seconds, true);
  json::object session{{"user_id", std::to_string(user.id)},
                       {"token_hash", util::Sha256Hex(t.refresh_token)}};
  t.user_session = util::SignValue(config_.secret_key, "user_session", json::serialize(session));
  return t;
}

AccessCheck AuthService::CheckAccessToken(std::string_view token, User* user) const {
  auto claims = util::JwtDecodeHs256(token, config_.secret_key);
  if (!claims) return AccessCheck::kInvalidToken;
  const auto* type = claims->if_contains("token_type");
  if (!type || !type->is_string() || type->as_string() != "access") return AccessCheck::kInvalidToken;
  auto exp = IntClaim(*claims, "exp");
  auto iat = IntClaim(*claims, "iat");
  auto uid = IntClaim(*claims, "user_id");
  if (!exp || !iat || !uid || *exp <= util::NowSeconds()) return AccessCheck::kInvalidToken;
  std::optional<User> u;
  store_.Read([&](store::Tx& tx) { u = LoadUser(tx, *uid); });
  if (!u) return AccessCheck::kUserNotFound;
  if (IssuedBeforePasswordChange(*u, *iat)) return AccessCheck::kInvalidToken;
  if (!u->is_active) return AccessCheck::kDeactivated;
  *user = std::move(*u);
  return AccessCheck::kOk;
}

User AuthService::CheckRefreshToken(std::string_view token) const {
  auto claims = util::JwtDecodeHs256(token, config_.secret_key);
  auto invalid = [] { return Error("ERROR_INVALID_REFRESH_TOKEN"); };
  if (!claims) throw invalid();
  const auto* type = claims->if_contains("token_type");
  if (!type || !type->is_string() || type->as_string() != "refresh") throw invalid();
  auto exp = IntClaim(*claims, "exp");
  auto iat = IntClaim(*claims, "iat");
  auto uid = IntClaim(*claims, "user_id");
  if (!exp || !iat || !uid || *exp <= util::NowSeconds()) throw invalid();
  std::optional<User> u;
  bool blacklisted = false;
  std::string hash = util::Sha256Hex(token);
  store_.Read([&](store::Tx& tx) {
    u = LoadUser(tx, *uid);
    blacklisted = tx.QueryInt("SELECT 1 FROM blacklisted_tokens WHERE token_hash = ?", hash).has_value();
  });
  if (!u || blacklisted || !u->is_active || u->to_be_deleted) throw invalid();
  if (IssuedBeforePasswordChange(*u, *iat)) throw invalid();
  return *u;
}

void AuthService::Blacklist(std::string_view refresh_token) const {
  auto claims = util::JwtDecodeHs256(refresh_token, config_.secret_key);
  if (!claims) throw Error("ERROR_INVALID_REFRESH_TOKEN");
  const auto* type = claims->if_contains("token_type");
  auto exp = IntClaim(*claims, "exp");
  if (!type || !type->is_string() || type->as_string() != "refresh" || !exp ||
      *exp <= util::NowSeconds()) {
    throw Error("ERROR_INVALID_REFRESH_TOKEN");
  }
  std::string hash = util::Sha256Hex(refresh_token);
  auto uid = IntClaim(*claims, "user_id");
  store_.Write([&](store::Tx& tx) {
    if (tx.QueryInt("SELECT 1 FROM blacklisted_tokens WHERE token_hash = ?", hash)) {
      throw Error("ERROR_REFRESH_TOKEN_ALREADY_BLACKLISTED");
    }
    // Expired entries are useless: a token past its exp is refused anyway.
    tx.Exec("DELETE FROM blacklisted_tokens WHERE expires_at < ?", util::NowSeconds());
    tx.Exec("INSERT INTO blacklisted_tokens (token_hash, user_id, expires_at) VALUES (?, ?, ?)",
            hash, uid, *exp);
  });
}

}  // namespace gridbase::services
