#pragma once
// What an API handler sees: the request, its path parameters, the resolved caller, and
// lazy access to the JSON body and the query string.
#include <boost/json/value.hpp>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "http/message.hpp"
#include "http/router.hpp"
#include "services/models.hpp"
#include "services/services.hpp"
#include "util/validate.hpp"

namespace gridbase::api {

using util::CoerceBool;
using util::CoerceInt;
using util::CoerceString;
using util::StringRule;
using util::Validator;

/// How a route authenticates (errors.md §3).
enum class AuthMode {
  kNone,    // no authentication processing at all (health checks)
  kIgnore,  // the Authorization header is ignored (token-auth/refresh/verify/blacklist)
  kPublic,  // anonymous allowed; a broken JWT header is still rejected
  kJwt,         // a valid access JWT is required
  kStaff,       // a valid access JWT of a staff user is required
  kJwtOrToken,  // a JWT or a database token (`Authorization: Token <key>`)
  kTokenOnly,   // only a database token; failures are 403
};

class Context {
 public:
  Context(const http::Request& req, http::Response& res, http::PathParams params,
          services::Services& services, std::string public_url)
      : req(req), res(res), params(std::move(params)), services(services),
        public_url_(std::move(public_url)) {}

  const http::Request& req;
  http::Response& res;
  http::PathParams params;
  services::Services& services;
  std::optional<services::User> user;
  std::optional<services::TokenActor> token;  // set when a database token authenticated

  /// The authenticated caller (routes with kJwt/kStaff always have one).
  services::Actor actor() const;
  const services::User& current_user() const { return *user; }

  /// A path parameter declared as `{name}` (digits only, checked by the router).
  int64_t IntParam(std::string_view name) const;
  std::string StrParam(std::string_view name) const { return std::string(params.get(name)); }

  /// The parsed JSON body; an empty body is `{}`. Throws 415 for another media type and
  /// 400 "JSON parse error - …" for malformed JSON.
  const boost::json::value& Json();

  /// First value of a query parameter, decoded as Django does (`+` is a space).
  std::optional<std::string> Query(std::string_view name) const;

  /// Every query parameter, decoded, in order.
  std::vector<std::pair<std::string, std::string>> QueryParams() const;
  /// Baserow's flag parsing (rows.md §2): absent → false, empty → true, else y/yes/t/true/on/1.
  bool QueryFlag(std::string_view name) const;

  /// Base URL for absolute links: the configured public URL, else from the Host header.
  std::string BaseUrl() const;
  /// This request's absolute URL with query parameters replaced (value) or removed
  /// (nullopt), sorted by name as Django REST Framework's replace_query_param does.
  std::string UrlWithQuery(const std::vector<std::pair<std::string, std::optional<std::string>>>& changes) const;

  void SendJson(int status, const boost::json::value& body);
  void SendNoContent();

 private:
  std::optional<boost::json::value> body_;
  std::string public_url_;
};

using HandlerFn = std::function<void(Context&)>;

/// An optional integer query parameter; non-integers are ERROR_QUERY_PARAMETER_VALIDATION.
std::optional<int64_t> IntQuery(Context& ctx, std::string_view name);

/// Throws ERROR_QUERY_PARAMETER_VALIDATION with {key: [{"error": message, "code": code}]}.
[[noreturn]] void QueryInvalid(std::string_view key, std::string_view message, std::string_view code);

struct RouteTarget {
  AuthMode auth = AuthMode::kJwt;
  HandlerFn handler;
};

using ApiRouter = http::Router<RouteTarget>;

}  // namespace gridbase::api
