// Account, user directory and admin user/role routes (baasbox.md §9.2, §9.3, §9.3.1, §3).
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <spdlog/spdlog.h>

#include "baasbox/where.hpp"
#include "docapi/internal.hpp"
#include "services/mailer.hpp"
#include "util/strings.hpp"

namespace gridbase::docapi {

namespace json = boost::json;
using baasbox::BbError;

namespace {

/// A profile with the new token inside `data` and as response header (§5.2, §9.2.1–2).
Reply WithSession(Env& env, const baasbox::BbUser& user, int status) {
  std::string token = env.sessions.Create({env.options.app_code, user.id, user.session_gen});
  json::object data = env.users.Profile(user, env.users.CallerFor(user));
  data["X-BB-SESSION"] = token;
  return Reply{status, std::move(data), token};
}

baasbox::BbUser Self(Env& env, const Context& ctx) {
  auto u = env.users.FindById(ctx.caller.user_id);
  if (!u) throw BbError(401, std::string(baasbox::kSessionGoneMessage), "40101");
  return *u;
}

Reply Login(Env& env, Context& ctx) {
  std::string type = util::ToLower(util::Trim(ctx.req.header("content-type").substr(
      0, ctx.req.header("content-type").find(';'))));
  std::optional<std::string> username, password, appcode, login_data;
  bool login_data_not_string = false;
  auto missing_data = [&] {
    return BbError(400, "missing data : is the body x-www-form-urlencoded or application/json? Detected: " +
                            std::string(ctx.req.header("content-type")));
  };
  if (type == "application/x-www-form-urlencoded") {
    for (auto& [k, v] : ParseForm(ctx.req.body)) {
      auto* slot = k == "username" ? &username : k == "password" ? &password : k == "appcode" ? &appcode
                   : k == "login_data" ? &login_data : nullptr;
      if (slot && !*slot) *slot = v;
    }
  } else if (type == "application/json") {
    boost::system::error_code ec;
    json::value v = json::parse(ctx.req.body, ec);
    if (ec || !v.is_object()) throw missing_data();
    auto get = [&](std::string_view key) -> std::optional<std::string> {
      const json::value* f = v.as_object().if_contains(key);
      if (!f) return std::nullopt;
      if (f->is_string()) return std::string(f->as_string());
      if (f->is_int64() || f->is_uint64()) return json::serialize(*f);  // an app code sent as a number
      return std::nullopt;
    };
    username = get("username");
    password = get("password");
    appcode = get("appcode");
    if (const json::value* ld = v.as_object().if_contains("login_data")) {
      if (ld->is_string()) {
        login_data = std::string(ld->as_string());
      } else {
        login_data_not_string = true;
      }
    }
  } else {
    throw missing_data();
  }
  if (!username || username->empty()) throw BbError(400, "The 'username' field is missing");
  if (!password) throw BbError(400, "The 'password' field is missing");
  if (!appcode || appcode->empty()) throw BbError(400, "The 'appcode' field is missing");
  if (baasbox::UserService::IsInternal(*username)) throw BbError(403, *username + " cannot login");
  if (*appcode != env.options.app_code) throw BbError(400, "user " + *username + " unauthorized");
  json::object device;
  if (login_data_not_string) throw BbError(400, "login_data field is not a valid json string");
  if (login_data && !login_data->empty()) {
    boost::system::error_code ec;
    json::value v = json::parse(*login_data, ec);
    if (ec || !v.is_object()) throw BbError(400, "login_data field is not a valid json string");
    device = std::move(v.as_object());
  }
  auto user = env.users.CheckPassword(*username, *password);
  if (!user) throw BbError(401, "user " + *username + " unauthorized");
  if (!device.empty()) env.users.RecordLoginDevice(user->id, device);
  return WithSession(env, *user, 200);
}

Reply PasswordReset(Env& env, Context& ctx) {
  const std::string& name = ctx.params[0];
  auto user = env.users.FindByName(name);
  if (!user) throw BbError(400, "Username " + name + " not found!");
  const json::value* email = user->sections[1].if_contains("email");
  if (!email || !email->is_string() || email->as_string().empty())
    throw BbError(400,
                  "Cannot reset password, the \"email\" attribute is not defined into the user's private profile");
  if (!env.mailer.configured())
    throw BbError(400,
                  "Cannot send mail to reset the password:  Could not reach the mail server. Please contact the "
                  "server administrator");
  // The reset pages of BaasBox (/user/password/reset/{code}) are out of scope (§12): the mail
  // tells the user who can set a new password.
  env.mailer.Send(std::string(email->as_string()), "Password reset request",
                  "Someone asked to reset the password of the account \"" + user->username +
                      "\".\n\nAsk the administrator of this application to set a new password for you. "
                      "If you did not ask for it, ignore this message.\n");
  return Reply{};
}

}  // namespace

void AddUserRoutes(std::vector<Route>& routes, Env& env) {
  Env* e = &env;
  // --- account (§9.2) -------------------------------------------------------------------
  AddRoute(routes, "POST", "/user", Access::kAppCode, [e](Context& ctx) {
    json::object body = ctx.JsonBody();
    return WithSession(*e, e->users.SignUp(body), 201);
  });
  AddRoute(routes, "POST", "/login", Access::kNone, [e](Context& ctx) { return Login(*e, ctx); });
  auto logout = [e](Context& ctx) {
    if (!ctx.token.empty()) e->sessions.Remove(ctx.token);
    if (!ctx.params.empty()) {
      e->users.RemoveDevice(ctx.caller.user_id, ctx.params[0]);
      return Reply{200, json::value("pushToken: " + ctx.params[0] + " logged out")};
    }
    return Reply{200, json::value("user logged out")};
  };
  AddRoute(routes, "POST", "/logout", Access::kUser, logout);
  AddRoute(routes, "POST", "/logout/{pushToken}", Access::kUser, logout);
  AddRoute(routes, "GET", "/refresh", Access::kUser, [](Context&) { return Reply{}; });
  auto me = [e](Context& ctx) { return Reply{200, e->users.Profile(Self(*e, ctx), ctx.caller)}; };
  auto update_me = [e](Context& ctx) {
    json::object body = ctx.JsonBody();
    return Reply{200, e->users.Profile(e->users.UpdateOwnProfile(ctx.caller.user_id, body), ctx.caller)};
  };
  auto change_password = [e](Context& ctx) {
    json::object body = ctx.JsonBody();
    e->users.ChangeOwnPassword(ctx.caller.user_id, body);
    e->sessions.RemoveUser(ctx.caller.user_id);
    return Reply{};
  };
  auto suspend_me = [e](Context& ctx) {
    e->users.SetStatus(ctx.caller.user_id, false);
    e->sessions.RemoveUser(ctx.caller.user_id);
    return Reply{};
  };
  for (const char* base : {"/me", "/user"}) {
    std::string b = base;
    AddRoute(routes, "GET", b, Access::kUser, me);
    AddRoute(routes, "PUT", b, Access::kUser, update_me);
    AddRoute(routes, "PUT", b + "/password", Access::kUser, change_password);
    AddRoute(routes, "PUT", b + "/suspend", Access::kUser, suspend_me);
  }
  AddRoute(routes, "PUT", "/me/username", Access::kUser, [e](Context& ctx) {
    json::object body = ctx.JsonBody();
    e->users.ChangeOwnUsername(ctx.caller.user_id, body);
    e->sessions.RemoveUser(ctx.caller.user_id);
    return Reply{};
  });
  AddRoute(routes, "GET", "/user/{u}/exists", Access::kAppCode,
           [](Context&) -> Reply { throw BbError(501, ""); });
  AddRoute(routes, "GET", "/user/{u}/password/reset", Access::kAppCode,
           [e](Context& ctx) { return PasswordReset(*e, ctx); });
  AddRoute(routes, "GET", "/user/{u}", Access::kUser, [e](Context& ctx) {
    const std::string& name = ctx.params[0];
    if (baasbox::UserService::IsInternal(name)) throw BbError(400, name + " cannot be queried");
    auto u = e->users.FindByName(name);
    if (!u) throw BbError(404, name + " not found");
    return Reply{200, e->users.Profile(*u, ctx.caller)};
  });

  AddRoute(routes, "GET", "/users", Access::kUser, [e](Context& ctx) {
    auto criteria = baasbox::ParseCriteria(ctx.query);
    try {
      return Reply{200, e->users.ListUsers(ctx.caller, criteria, false)};
    } catch (const baasbox::CriteriaError& err) {
      spdlog::info("request {}: criteria refused: {}", ctx.req.id, err.detail());
      throw BbError(400, std::string(baasbox::kCriteriaMessage));
    }
  });

  // --- admin users (§9.3) ----------------------------------------------------------------
  AddRoute(routes, "GET", "/admin/user", Access::kAdmin, [e](Context& ctx) {
    try {
      auto criteria = baasbox::ParseCriteria(ctx.query);
      return Reply{200, e->users.ListUsers(ctx.caller, criteria, true)};
    } catch (const baasbox::CriteriaError& err) {
      spdlog::info("request {}: criteria refused: {}", ctx.req.id, err.detail());
      throw BbError(400, "The request is malformed: check your query criteria");
    }
  });
  AddRoute(routes, "POST", "/admin/user", Access::kAdmin, [e](Context& ctx) {
    e->users.AdminCreate(ctx.JsonBody());
    return Reply{201, ""};
  });
  AddRoute(routes, "PUT", "/admin/user/suspend/{u}", Access::kAdmin, [e](Context& ctx) {
    e->sessions.RemoveUser(e->users.AdminSetStatus(ctx.params[0], false));
    return Reply{};
  });
  AddRoute(routes, "PUT", "/admin/user/activate/{u}", Access::kAdmin, [e](Context& ctx) {
    e->users.AdminSetStatus(ctx.params[0], true);
    return Reply{};
  });
  AddRoute(routes, "GET", "/admin/user/{u}", Access::kAdmin, [e](Context& ctx) {
    auto u = e->users.FindByName(ctx.params[0]);
    if (!u) throw BbError(404, "User " + ctx.params[0] + " not found");
    return Reply{200, e->users.Profile(*u, ctx.caller)};
  });
  AddRoute(routes, "PUT", "/admin/user/{u}", Access::kAdmin, [e](Context& ctx) {
    json::object body = ctx.JsonBody();
    return Reply{200, e->users.Profile(e->users.AdminUpdate(ctx.params[0], body), ctx.caller)};
  });
  AddRoute(routes, "PUT", "/admin/user/{u}/password", Access::kAdmin, [e](Context& ctx) {
    json::object body = ctx.JsonBody();
    e->sessions.RemoveUser(e->users.AdminSetPassword(ctx.params[0], body));
    return Reply{};
  });

  // --- roles (§9.3.1) --------------------------------------------------------------------
  auto list_roles = [e](Context&) { return Reply{200, e->users.ListRoles()}; };
  AddRoute(routes, "GET", "/admin/role", Access::kAdmin, list_roles);
  AddRoute(routes, "GET", "/admin/roles", Access::kAdmin, list_roles);
  AddRoute(routes, "GET", "/admin/role/{name}", Access::kAdmin,
           [e](Context& ctx) { return Reply{200, e->users.GetRole(ctx.params[0])}; });
  AddRoute(routes, "POST", "/admin/role/{name}", Access::kAdmin, [e](Context& ctx) {
    json::object body = ctx.OptionalJsonBody();
    e->users.CreateRole(ctx.params[0], body);
    return Reply{201, ""};
  });
  AddRoute(routes, "PUT", "/admin/role/{name}", Access::kAdmin, [e](Context& ctx) {
    json::object body = ctx.OptionalJsonBody();
    e->users.EditRole(ctx.params[0], body);
    return Reply{};
  });
  AddRoute(routes, "DELETE", "/admin/role/{name}", Access::kAdmin, [e](Context& ctx) {
    e->users.DeleteRole(ctx.params[0]);
    return Reply{};
  });
}

}  // namespace gridbase::docapi
