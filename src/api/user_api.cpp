// Users and authentication (auth.md): register, token-auth/refresh/verify/blacklist,
// account, change password, dashboard.
#include <boost/json/array.hpp>

#include "api/errors.hpp"
#include "api/routes.hpp"
#include "services/serializers.hpp"
#include "util/validate.hpp"
#include "services/permissions.hpp"
#include "util/error.hpp"

namespace gridbase::api {

namespace json = boost::json;

namespace {

const std::vector<std::string> kLanguages = {"en", "fr", "nl", "de", "es", "it", "pl", "ko"};
const std::vector<std::string> kFrequencies = {"instant", "daily", "weekly", "never"};

std::optional<std::string> ValidateLanguage(Validator& v, bool required) {
  StringRule rule;
  rule.required = required;
  rule.min_length = 2;
  rule.max_length = 10;
  auto lang = v.String("language", rule);
  if (!lang) return std::nullopt;
  if (std::find(kLanguages.begin(), kLanguages.end(), *lang) == kLanguages.end()) {
    v.Fail("language", "Only the following language keys are valid: en,fr,nl,de,es,it,pl,ko",
           "invalid_language");
    return std::nullopt;
  }
  return lang;
}

/// A refresh token from the body, or nullopt; non-string values are plain DRF errors.
std::optional<std::string> RefreshTokenFrom(Validator& v, bool allow_legacy_alias) {
  StringRule rule;
  rule.required = false;
  rule.allow_blank = true;
  auto token = v.String("refresh_token", rule);
  if (!token && allow_legacy_alias && !v.Has("refresh_token")) token = v.String("token", rule);
  if (!v.ok()) throw HttpError(400, v.PlainErrors());
  return token;
}

void Register(Context& ctx) {
  Validator v(ctx.Json());
  StringRule name_rule;
  name_rule.min_length = 2;
  name_rule.max_length = 150;
  auto name = v.String("name", name_rule);
  auto email = v.Email("email");
  auto password = v.Password("password");
  auto language = v.Has("language") ? ValidateLanguage(v, false) : std::optional<std::string>("en");
  bool authenticate = v.Bool("authenticate", false).value_or(false);
  if (const auto* tid = v.Raw("template_id"); tid && !tid->is_null()) {
    if (auto id = CoerceInt(*tid); id && !tid->is_bool()) {
      // No templates are installed on this server, so every id is unknown.
      v.Fail("template_id", "Invalid pk \"" + std::to_string(*id) + "\" - object does not exist.",
             "does_not_exist");
    } else {
      v.Fail("template_id",
             "Incorrect type. Expected pk value, received " + std::string(Validator::PythonType(*tid)) + ".",
             "incorrect_type");
    }
  }
  std::optional<std::string> invitation_token;
  if (const auto* raw = v.Raw("workspace_invitation_token"); raw && !raw->is_null()) {
    StringRule rule;
    rule.required = false;
    invitation_token = v.String("workspace_invitation_token", rule);
  }
  v.Check();

  services::RegisterInput input;
  if (invitation_token) input.invitation_id = ctx.services.invitations.IdFromToken(*invitation_token);
  input.raw_email = *email;
  input.name = *name;
  input.email = services::NormalizeEmail(*email);
  input.password = *password;
  input.language = language.value_or("en");
  auto user = ctx.services.users.Register(input);
  bool enforced = ctx.services.settings.Get().email_verification == "enforced";
  if (!authenticate || enforced) {
    ctx.SendJson(200, json::object{{"user", UserJson(user)}});
    return;
  }
  ctx.SendJson(200, SessionPayload(ctx, user));
}

void TokenAuth(Context& ctx) {
  Validator v(ctx.Json());
  std::optional<std::string> email;
  if (v.Has("email") || !v.Has("username")) {
    email = v.Email("email");
  } else {
    email = v.Email("username");
  }
  StringRule pw_rule;
  pw_rule.trim = false;
  auto password = v.String("password", pw_rule);
  if (!v.ok()) throw HttpError(400, v.PlainErrors());
  auto user = ctx.services.users.Login(services::NormalizeEmail(*email), *password);
  ctx.SendJson(200, SessionPayload(ctx, user));
}

void TokenRefresh(Context& ctx) {
  Validator v(ctx.Json());
  auto token = RefreshTokenFrom(v, /*allow_legacy_alias=*/true);
  if (!token || token->empty()) throw Error("ERROR_INVALID_REFRESH_TOKEN");
  auto user = ctx.services.auth.CheckRefreshToken(*token);
  std::string access = ctx.services.auth.IssueAccessToken(user);
  json::object out{{"token", access}, {"access_token", access}};
  for (auto& [k, val] : UserDataPayload(ctx, user)) out[k] = val;
  ctx.SendJson(200, out);
}

void TokenVerify(Context& ctx) {
  Validator v(ctx.Json());
  if (!v.Has("refresh_token")) {
    v.Fail("refresh_token", "This field is required.", "required");
    throw HttpError(400, v.PlainErrors());
  }
  auto token = RefreshTokenFrom(v, /*allow_legacy_alias=*/false);
  if (!token || token->empty()) throw Error("ERROR_INVALID_REFRESH_TOKEN");
  auto user = ctx.services.auth.CheckRefreshToken(*token);
  ctx.SendJson(200, UserDataPayload(ctx, user));
}

void TokenBlacklist(Context& ctx) {
  Validator v(ctx.Json());
  auto token = v.String("refresh_token");
  v.Check();
  ctx.services.auth.Blacklist(*token);
  ctx.SendNoContent();
}

void UpdateAccount(Context& ctx) {
  Validator v(ctx.Json());
  services::AccountPatch patch;
  StringRule name_rule;
  name_rule.required = false;
  name_rule.min_length = 2;
  name_rule.max_length = 150;
  patch.first_name = v.String("first_name", name_rule);
  if (v.Has("language")) patch.language = ValidateLanguage(v, false);
  if (v.Has("email_notification_frequency"))
    patch.email_notification_frequency = v.Choice("email_notification_frequency", kFrequencies, false);
  patch.completed_onboarding = v.Bool("completed_onboarding", false);
  if (v.Has("completed_guided_tours"))
    patch.completed_guided_tours = v.StringList("completed_guided_tours", false);
  bool any = v.Has("first_name") || v.Has("language") || v.Has("email_notification_frequency") ||
             v.Has("completed_onboarding") || v.Has("completed_guided_tours");
  if (v.ok() && !any && ctx.Json().is_object()) {
    v.FailNonField(
        "At least one of the fields first_name, language, email_notification_frequency, "
        "completed_onboarding, completed_guided_tours must be provided.",
        "invalid");
  }
  v.Check();
  auto user = ctx.services.users.UpdateAccount(ctx.actor(), patch);
  json::array tours;
  for (const auto& t : user.completed_guided_tours) tours.push_back(json::string(t));
  ctx.SendJson(200, json::object{{"first_name", user.first_name},
                                 {"language", user.language},
                                 {"email_notification_frequency", user.email_notification_frequency},
                                 {"completed_onboarding", user.completed_onboarding},
                                 {"completed_guided_tours", std::move(tours)}});
}

void ChangePassword(Context& ctx) {
  Validator v(ctx.Json());
  StringRule old_rule;
  old_rule.trim = false;
  auto old_password = v.String("old_password", old_rule);
  auto new_password = v.Password("new_password");
  v.Check();
  ctx.services.users.ChangePassword(ctx.actor(), *old_password, *new_password);
  ctx.SendNoContent();
}

void Dashboard(Context& ctx) {
  ctx.SendJson(200, json::object{{"workspace_invitations", ctx.services.invitations.ForUser(ctx.actor())}});
}

}  // namespace

json::object UserDataPayload(Context& ctx, const services::User& user) {
  services::Actor actor{user.id, user.is_staff, std::nullopt};
  json::array permissions = ctx.services.store.ReadResult(
      [&](store::Tx& tx) { return services::PermissionObjects(tx, actor, std::nullopt); });
  return json::object{{"user", UserJson(user)},
                      {"permissions", std::move(permissions)},
                      {"user_notifications", json::object{{"unread_count", 0}}}};
}

json::object SessionPayload(Context& ctx, const services::User& user) {
  auto tokens = ctx.services.auth.IssueSession(user);
  json::object out{{"token", tokens.access_token},
                   {"access_token", tokens.access_token},
                   {"refresh_token", tokens.refresh_token},
                   {"user_session", tokens.user_session}};
  for (auto& [k, val] : UserDataPayload(ctx, user)) out[k] = val;
  return out;
}

void RegisterUserRoutes(ApiRouter& r) {
  r.Add("POST", "/api/user/", {AuthMode::kPublic, Register});
  r.Add("POST", "/api/user/token-auth/", {AuthMode::kIgnore, TokenAuth});
  r.Add("POST", "/api/user/token-refresh/", {AuthMode::kIgnore, TokenRefresh});
  r.Add("POST", "/api/user/token-verify/", {AuthMode::kIgnore, TokenVerify});
  r.Add("POST", "/api/user/token-blacklist/", {AuthMode::kIgnore, TokenBlacklist});
  r.Add("PATCH", "/api/user/account/", {AuthMode::kJwt, UpdateAccount});
  r.Add("POST", "/api/user/change-password/", {AuthMode::kJwt, ChangePassword});
  r.Add("GET", "/api/user/dashboard/", {AuthMode::kJwt, Dashboard});
}

}  // namespace gridbase::api
