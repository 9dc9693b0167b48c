#pragma once
// Pieces shared by the files of docapi/: the request context, routes and their access class.
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "baasbox/common.hpp"
#include "baasbox/documents.hpp"
#include "baasbox/files.hpp"
#include "baasbox/sessions.hpp"
#include "baasbox/users.hpp"
#include "docapi/surface.hpp"
#include "http/message.hpp"

namespace gridbase::docapi {

/// Access classes of §2.2.
enum class Access { kNone, kAppCode, kUser, kUserOrAnon, kAdmin };

struct Context {
  const http::Request& req;
  std::vector<std::string> params;  // the `{…}` segments of the route, decoded, in order
  std::vector<std::pair<std::string, std::string>> query;  // form-decoded, in order
  baasbox::Caller caller;
  std::string token;  // the session token the caller authenticated with ("" for Basic)

  /// First value of a query key ("" when absent; §1.2: the first occurrence wins).
  std::string_view Query(std::string_view key) const {
    for (const auto& [k, v] : query)
      if (k == key) return v;
    return {};
  }
  /// The body as a JSON object; otherwise 400 «The body payload cannot be empty…» (§9.2.1).
  boost::json::object JsonBody() const;
  /// Like JsonBody, but an empty body is an empty object.
  boost::json::object OptionalJsonBody() const;
};

/// A handler's answer: status 200/201 and `data` (plain strings are wrapped as-is).
struct Reply {
  Reply() = default;
  Reply(int s, boost::json::value d, std::string session = {})
      : status(s), data(std::move(d)), session_header(std::move(session)) {}
  int status = 200;
  boost::json::value data = "";
  std::string session_header;  // X-BB-SESSION response header (login, sign-up)
  /// A raw answer instead of the envelope (§4.1: binary downloads and non-JSON content types are
  /// not wrapped): sent as-is when `raw_content_type` is not empty, with `raw_headers` added.
  std::string raw_content_type;
  std::string raw_body;
  std::vector<std::pair<std::string, std::string>> raw_headers;

  static Reply Raw(std::string content_type, std::string body) {
    Reply r;
    r.raw_content_type = std::move(content_type);
    r.raw_body = std::move(body);
    return r;
  }
};

using Handler = std::function<Reply(Context&)>;

struct Route {
  std::string method;
  std::vector<std::string> pattern;  // literal segments, "{}" for a parameter
  Access access;
  Handler handler;
};

/// What the handlers work with.
struct Env {
  baasbox::UserService& users;
  baasbox::SessionStore& sessions;
  services::Mailer& mailer;
  const Options& options;
};

/// `a=1&b=2` form-decoded (`+` is a space, §1.2), in order, repeated keys kept.
std::vector<std::pair<std::string, std::string>> ParseForm(std::string_view s);

/// Adds `route` for "METHOD /a/{x}/b".
void AddRoute(std::vector<Route>& routes, std::string_view method, std::string_view pattern, Access access,
              Handler handler);

/// The account and directory routes of §9.2, §9.3 and §9.3.1, plus /refresh.
void AddUserRoutes(std::vector<Route>& routes, Env& env);

/// Collections, documents, grants and links (§9.4–§9.7).
void AddDocumentRoutes(std::vector<Route>& routes, baasbox::DocumentService& docs);

/// Files and their grants (§9.8).
void AddFileRoutes(std::vector<Route>& routes, baasbox::FileService& files);

}  // namespace gridbase::docapi
