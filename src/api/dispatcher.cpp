#include "api/dispatcher.hpp"

#include <boost/json/serialize.hpp>
#include <spdlog/spdlog.h>

#include "api/errors.hpp"
#include "store/store.hpp"
#include "util/strings.hpp"

namespace gridbase::api {

namespace json = boost::json;

namespace {

constexpr const char* kCorsAllowHeaders =
    "accept, accept-encoding, authorization, content-type, dnt, origin, user-agent, "
    "x-csrftoken, x-requested-with, websocketid, baserow-view-authorization, clientsessionid, "
    "clientundoredoactiongroupid, usersourceauthorization";

std::vector<std::string_view> SplitWhitespace(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    size_t j = i;
    while (j < s.size() && s[j] != ' ' && s[j] != '\t') ++j;
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

}  // namespace

Dispatcher::Dispatcher(services::Services& services, DispatcherOptions options)
    : services_(services), options_(std::move(options)) {}

std::string Dispatcher::AllowedOrigin(const http::Request& req) const {
  std::string_view origin = req.header("origin");
  if (origin.empty()) return {};
  for (const auto& o : options_.cors_origins) {
    if (o == "*") return "*";
    if (o == origin) return std::string(origin);
  }
  return {};
}

void Dispatcher::Authenticate(Context& ctx, AuthMode mode) {
  if (mode == AuthMode::kNone || mode == AuthMode::kIgnore) return;
  auto parts = SplitWhitespace(ctx.req.header("authorization"));
  bool token_scheme = mode == AuthMode::kJwtOrToken || mode == AuthMode::kTokenOnly;
  int failure_status = mode == AuthMode::kTokenOnly ? 403 : 401;
  // The keyword JWT is matched case-sensitively; Token case-insensitively (errors.md §3).
  if (!parts.empty() && parts[0] == "JWT" && mode != AuthMode::kTokenOnly) {
    if (parts.size() != 2) {
      throw HttpError::Detail(401, "Authorization header must contain two space-delimited values");
    }
    services::User user;
    switch (services_.auth.CheckAccessToken(parts[1], &user)) {
      case services::AccessCheck::kOk:
        ctx.user = std::move(user);
        break;
      case services::AccessCheck::kInvalidToken:
        throw HttpError(401, json::object{{"detail", "Access token is expired or invalid."},
                                          {"error", "ERROR_INVALID_ACCESS_TOKEN"}});
      case services::AccessCheck::kUserNotFound:
        throw HttpError::Detail(401, "User not found");
      case services::AccessCheck::kDeactivated:
        throw HttpError(401, json::object{{"error", "ERROR_DEACTIVATED_USER"},
                                          {"detail", "User account has been disabled."}});
    }
  } else if (!parts.empty() && token_scheme && util::IEquals(parts[0], "token")) {
    auto fail = [&](std::string_view detail, std::string_view code) {
      return HttpError(failure_status, json::object{{"detail", detail}, {"error", code}});
    };
    if (parts.size() == 1) throw fail("Invalid token header. No token provided.", "ERROR_INVALID_TOKEN_HEADER");
    if (parts.size() > 2) {
      throw fail("Invalid token header. Token string should not contain spaces.", "ERROR_INVALID_TOKEN_HEADER");
    }
    services::User user;
    services::TokenActor token;
    switch (services_.tokens.Authenticate(parts[1], &user, &token)) {
      case services::TokenCheck::kOk:
        ctx.user = std::move(user);
        ctx.token = std::move(token);
        break;
      case services::TokenCheck::kUnknown:
        throw fail("The provided token does not exist.", "ERROR_TOKEN_DOES_NOT_EXIST");
      case services::TokenCheck::kUserInactive:
        throw fail("The user related to the token is disabled.", "ERROR_USER_NOT_ACTIVE");
    }
  }
  if (mode == AuthMode::kTokenOnly && !ctx.token) {
    throw HttpError::Detail(403, "Authentication credentials were not provided.");
  }
  if (!ctx.user && mode != AuthMode::kPublic) {
    throw HttpError::Detail(401, "Authentication credentials were not provided.",
                            {{"www-authenticate", "JWT realm=\"api\""}});
  }
  if (mode == AuthMode::kStaff && !ctx.user->is_staff) {
    throw HttpError::Detail(403, "You do not have permission to perform this action.");
  }
}

void Dispatcher::Handle(const http::Request& req, http::Response& res) {
  std::string origin = AllowedOrigin(req);
  auto finish = [&] {
    res.set_header("x-request-id", std::to_string(req.id));
    if (!origin.empty()) {
      res.set_header("access-control-allow-origin", origin);
      if (origin != "*") res.set_header("vary", "Origin");
    }
  };

  if (req.method == "OPTIONS" && req.has_header("access-control-request-method")) {
    res.status = 200;
    res.content_type = "text/html; charset=utf-8";
    if (!origin.empty()) {
      res.set_header("access-control-allow-methods", "DELETE, GET, OPTIONS, PATCH, POST, PUT");
      res.set_header("access-control-allow-headers", kCorsAllowHeaders);
      res.set_header("access-control-max-age", "86400");
    }
    finish();
    return;
  }

  try {
    auto match = router_.Find(req.method, req.path);
    switch (match.kind) {
      case http::MatchKind::kNotFound:
        throw Error("URL_NOT_FOUND", "URL " + req.path + " not found.");
      case http::MatchKind::kTrailingSlashMissing:
        throw Error("URL_TRAILING_SLASH_MISSING",
                    "A valid URL must end with a trailing slash. Please, redirect requests to " +
                        req.path + "/");
      case http::MatchKind::kMethodNotAllowed: {
        Context ctx(req, res, std::move(match.params), services_, options_.public_url);
        Authenticate(ctx, match.target->auth);
        if (req.method == "OPTIONS") {
          res.status = 200;
          res.set_header("allow", match.allow + ", OPTIONS");
          res.body = "{}";
          break;
        }
        throw HttpError(405, json::object{{"detail", "Method \"" + req.method + "\" not allowed."}},
                        {{"allow", match.allow}});
      }
      case http::MatchKind::kFound: {
        Context ctx(req, res, std::move(match.params), services_, options_.public_url);
        Authenticate(ctx, match.target->auth);
        match.target->handler(ctx);
        break;
      }
    }
  } catch (const Error& e) {
    res = http::Response{};
    WriteError(e, res);
  } catch (const HttpError& e) {
    res = http::Response{};
    WriteHttpError(e, res);
  } catch (const store::StoreError& e) {
    res = http::Response{};
    if (e.kind() == store::StoreErrorKind::kBusy) {
      spdlog::warn("request {}: store busy: {}", req.id, e.what());
      res.status = 409;
      res.body = json::serialize(json::object{
          {"error", "ERROR_DATABASE_DEADLOCK"},
          {"detail", "The requested resource is already being updated or used by another "
                     "operation, please try again after other concurrent operations have finished."}});
    } else {
      spdlog::error("request {} {} {}: store error: {}", req.id, req.method, req.target, e.what());
      res.status = 500;
      res.body = R"({"detail":"Internal server error."})";
    }
  } catch (const std::exception& e) {
    spdlog::error("request {} {} {}: {}", req.id, req.method, req.target, e.what());
    res = http::Response{};
    res.status = 500;
    res.body = R"({"detail":"Internal server error."})";
  }
  finish();
}

}  // namespace gridbase::api
