#include "docapi/surface.hpp"

#include <spdlog/spdlog.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <ctime>

#include "baasbox/where.hpp"
#include "docapi/internal.hpp"
#include "util/json_writer.hpp"
#include "services/mailer.hpp"
#include "store/store.hpp"
#include "util/strings.hpp"

namespace gridbase::docapi {

namespace json = boost::json;
using baasbox::BbError;

namespace {

constexpr std::string_view kBodyMissing =
    "The body payload cannot be empty. Hint: put in the request header Content-Type: application/json";
constexpr std::string_view kSessionGone = baasbox::kSessionGoneMessage;

std::string MediaType(std::string_view content_type) {
  return util::ToLower(util::Trim(content_type.substr(0, content_type.find(';'))));
}

std::string HttpDate() {
  time_t now = time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[64];
  strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

/// Standard base64 (with or without padding); nullopt on any other character.
std::optional<std::string> Base64Decode(std::string_view in) {
  while (!in.empty() && in.back() == '=') in.remove_suffix(1);
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char ch : in) {
    int v;
    if (ch >= 'A' && ch <= 'Z') v = ch - 'A';
    else if (ch >= 'a' && ch <= 'z') v = ch - 'a' + 26;
    else if (ch >= '0' && ch <= '9') v = ch - '0' + 52;
    else if (ch == '+') v = 62;
    else if (ch == '/') v = 63;
    else return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  if (bits >= 6) return std::nullopt;  // a lone trailing character
  return out;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> ParseForm(std::string_view s) {
  std::vector<std::pair<std::string, std::string>> out;
  for (auto part : util::Split(s, '&')) {
    if (part.empty()) continue;
    size_t eq = part.find('=');
    out.emplace_back(util::UrlDecode(part.substr(0, eq), true),
                     eq == std::string_view::npos ? std::string() : util::UrlDecode(part.substr(eq + 1), true));
  }
  return out;
}

namespace {

bool IsRedacted(std::string_view lower_name) {
  return lower_name == "authorization" || lower_name == "x-bb-session" || lower_name == "cookie";
}

}  // namespace

json::object Context::JsonBody() const {
  if (MediaType(req.header("content-type")) != "application/json" || util::Trim(req.body).empty())
    throw BbError(400, std::string(kBodyMissing));
  boost::system::error_code ec;
  json::value v = json::parse(req.body, ec);
  if (ec || !v.is_object()) throw BbError(400, std::string(kBodyMissing));
  return std::move(v.as_object());
}

json::object Context::OptionalJsonBody() const {
  if (util::Trim(req.body).empty()) return {};
  return JsonBody();
}

void AddRoute(std::vector<Route>& routes, std::string_view method, std::string_view pattern, Access access,
              Handler handler) {
  Route r{std::string(method), {}, access, std::move(handler)};
  for (auto seg : util::Split(pattern.substr(1), '/'))
    r.pattern.push_back(seg.size() > 1 && seg.front() == '{' ? "{}" : std::string(seg));
  routes.push_back(std::move(r));
}

bool UnderPrefix(std::string_view raw_path, std::string_view prefix, std::string_view* rest) {
  if (raw_path.rfind(prefix, 0) != 0) return false;
  std::string_view tail = raw_path.substr(prefix.size());
  if (!tail.empty() && tail.front() != '/') return false;
  *rest = tail;
  return true;
}

struct Surface::Impl {
  store::Store& store;
  services::Mailer& mailer;
  Options options;
  store::TimeLimitedStore limited;  // what the services read through: §8.9's time limit
  baasbox::UserService users;
  baasbox::SessionStore sessions;
  baasbox::DocumentService documents;
  baasbox::FileService files;
  Env env;
  std::vector<Route> routes;

  Impl(store::Store& s, services::Mailer& m, Options o)
      : store(s),
        mailer(m),
        options(std::move(o)),
        limited(s, options.query_timeout),
        users(limited),
        sessions(options.session_timeout),
        documents(limited, DocumentsOptions()),
        files(limited),
        env{users, sessions, mailer, options} {
    AddUserRoutes(routes, env);
    AddDocumentRoutes(routes, documents);
    AddFileRoutes(routes, files);
  }

  /// Link nodes that are users render as profiles (§5.3), seen by the caller (§5.2).
  baasbox::DocumentOptions DocumentsOptions() {
    baasbox::DocumentOptions o;
    o.render_user = [this](store::Tx& tx, const baasbox::Caller& viewer, int64_t user_id) {
      return users.LinkedProfile(tx, viewer, user_id);
    };
    return o;
  }

  /// §2.1–§2.3: fills ctx.caller or throws the row's error.
  void Authenticate(Context& ctx, Access access) {
    const auto& req = ctx.req;
    if (access == Access::kNone) return;
    std::string app_code(req.header("x-baasbox-appcode"));
    if (app_code.empty()) app_code = std::string(ctx.Query("X-BAASBOX-APPCODE"));
    auto invalid_code = [&] {
      return BbError(401, "Authentication info not valid or not provided: " + app_code + " is an Invalid App Code");
    };
    if (access == Access::kAppCode) {
      if (app_code.empty()) app_code = std::string(ctx.Query("appcode"));
      if (app_code.empty()) throw BbError(400, "Invalid App Code. AppCode is empty or not set");
      if (app_code != options.app_code) throw invalid_code();
      ctx.caller = users.AnonymousCaller();
      return;
    }
    std::string token(req.header("x-bb-session"));
    if (token.empty()) token = std::string(ctx.Query("X-BB-SESSION"));
    std::string_view authorization = req.header("authorization");
    const bool has_auth = req.has_header("authorization");
    // Row 1.
    if (token.empty() && !has_auth) {
      if (app_code.empty()) throw BbError(400, "Missing Session Token, Authorization info and even the AppCode");
      if (access != Access::kUserOrAnon) throw BbError(401, "Missing both Session Token and Authorization info");
      if (app_code != options.app_code) throw invalid_code();
      ctx.caller = users.AnonymousCaller();
      return;
    }
    // Row 2.
    if (token.empty() && app_code.empty()) throw BbError(400, "Invalid App Code. AppCode is empty or not set");
    std::optional<baasbox::BbUser> user;
    if (!token.empty()) {
      // Row 3: the token wins over Authorization; the session's own app code is used.
      auto session = sessions.Touch(token);
      if (!session) throw BbError(401, std::string(kSessionGone), "40101");
      user = users.FindById(session->user_id);
      if (!user || !user->active() || user->session_gen != session->session_gen) {
        sessions.Remove(token);  // revoked in another process over the same database
        throw BbError(401, std::string(kSessionGone), "40101");
      }
      ctx.token = token;
    } else {
      // Row 4: strict Basic (Deviation §2.1).
      auto sp = authorization.find(' ');
      std::optional<std::string> decoded;
      if (sp != std::string_view::npos && util::IEquals(authorization.substr(0, sp), "basic"))
        decoded = Base64Decode(util::Trim(authorization.substr(sp + 1)));
      size_t colon = decoded ? decoded->find(':') : std::string::npos;
      if (colon == std::string::npos) throw BbError(401, std::string(kSessionGone), "40101");
      std::string name = decoded->substr(0, colon);
      std::string password = decoded->substr(colon + 1);
      // Row 5.
      if (baasbox::UserService::IsInternal(name)) throw BbError(403, "The user " + name + " cannot access via REST");
      // Row 6.
      if (app_code != options.app_code) throw invalid_code();
      user = users.CheckPassword(name, password);
      if (!user) throw BbError(401, "User " + name + " is not authorized to access");
    }
    ctx.caller = users.CallerFor(*user);
    if (access == Access::kAdmin && !ctx.caller.is_admin)
      throw BbError(403, "User " + user->username + " is not an administrator");
  }

  void Finish(const http::Request& req, http::Response& res) {
    res.content_type = "application/json; charset=utf-8";
    res.set_header("Access-Control-Allow-Origin", "*");
    if (req.method != "OPTIONS") res.set_header("Access-Control-Allow-Headers", "X-Requested-With");
    res.set_header("Date", HttpDate());
  }

  void WriteError(const http::Request& req, http::Response& res, const std::string& call_id, int status,
                  const std::string& message, const std::string& bb_code) {
    json::object request_header;
    for (const auto& h : req.headers) {
      json::value& slot = request_header[h.name];
      if (!slot.is_array()) slot = json::array{};
      slot.as_array().emplace_back(IsRedacted(h.name) ? std::string_view("***") : std::string_view(h.value));
    }
    json::object out{{"result", "error"},
                     {"message", message},
                     {"resource", req.path},
                     {"method", req.method},
                     {"request_header", std::move(request_header)},
                     {"API_version", options.api_version},
                     {"http_code", status}};
    if (!bb_code.empty()) out["bb_code"] = bb_code;
    if (!call_id.empty()) out["call_id"] = call_id;
    res.status = status;
    res.body = util::ToJson(out);
  }

  void Handle(const http::Request& req, http::Response& res, std::string_view raw_path) {
    Context ctx{req, {}, ParseForm(req.query), {}, {}};
    std::string call_id(ctx.Query("call_id"));
    Finish(req, res);
    if (req.method == "OPTIONS") {
      res.set_header("Allow", "OPTIONS, GET, POST, PUT, DELETE");
      res.set_header("Access-Control-Allow-Methods", "OPTIONS, GET, POST, PUT, DELETE");
      std::string_view asked = req.header("access-control-request-headers");
      if (!asked.empty()) res.set_header("Access-Control-Allow-Headers", std::string(asked));
      json::object out{{"result", "ok"}, {"data", ""}, {"http_code", 200}};
      if (!call_id.empty()) out["call_id"] = call_id;
      res.status = 200;
      res.body = util::ToJson(out);
      return;
    }
    try {
      // Segments are percent-decoded one by one (§1.2); an empty one matches no route.
      std::vector<std::string> segs;
      bool ok = raw_path.size() > 1 && raw_path.front() == '/';
      if (ok) {
        for (auto seg : util::Split(raw_path.substr(1), '/')) {
          if (seg.empty()) ok = false;
          segs.push_back(util::UrlDecode(seg, /*plus_as_space=*/false));
        }
      }
      const Route* found = nullptr;
      for (const auto& r : routes) {
        if (!ok || r.method != req.method || r.pattern.size() != segs.size()) continue;
        std::vector<std::string> params;
        bool match = true;
        for (size_t i = 0; i < segs.size() && match; ++i) {
          if (r.pattern[i] == "{}") params.push_back(segs[i]);
          else match = r.pattern[i] == segs[i];
        }
        if (match) {
          found = &r;
          ctx.params = std::move(params);
          break;
        }
      }
      if (!found) throw BbError(404, "API not found");
      Authenticate(ctx, found->access);
      Reply reply = found->handler(ctx);
      if (!reply.raw_content_type.empty()) {
        res.status = reply.status;
        res.content_type = std::move(reply.raw_content_type);
        res.body = std::move(reply.raw_body);
        for (auto& [name, value] : reply.raw_headers) res.set_header(std::move(name), std::move(value));
        return;
      }
      json::object out{{"result", "ok"}, {"data", std::move(reply.data)}, {"http_code", reply.status}};
      if (!call_id.empty()) out["call_id"] = call_id;
      if (!reply.session_header.empty()) res.set_header("X-BB-SESSION", reply.session_header);
      res.status = reply.status;
      res.body = util::ToJson(out);
    } catch (const BbError& e) {
      WriteError(req, res, call_id, e.status(), e.message(), e.bb_code());
    } catch (const baasbox::CriteriaError& e) {
      WriteError(req, res, call_id, 400, e.what(), "");
    } catch (const baasbox::TooCostly&) {
      WriteError(req, res, call_id, 503, "Query timeout", "");  // §8.9
    } catch (const store::StoreError& e) {
      if (e.kind() != store::StoreErrorKind::kTimeout) {
        spdlog::error("baasbox request {} {} {}: {}", req.id, req.method, req.path, e.what());
        WriteError(req, res, call_id, 500, "Internal server error (log reference " + std::to_string(req.id) + ")", "");
      } else {
        WriteError(req, res, call_id, 503, "Query timeout", "");  // §8.9
      }
    } catch (const std::exception& e) {
      spdlog::error("baasbox request {} {} {}: {}", req.id, req.method, req.path, e.what());
      WriteError(req, res, call_id, 500, "Internal server error (log reference " + std::to_string(req.id) + ")", "");
    }
  }
};

Surface::Surface(store::Store& store, services::Mailer& mailer, Options options)
    : impl_(std::make_unique<Impl>(store, mailer, std::move(options))) {}

Surface::~Surface() = default;

http::Response Surface::Rejection(int status, std::string_view reason, std::string_view target) {
  http::Request req;
  req.target = std::string(target);
  req.path = util::UrlDecode(target.substr(0, target.find('?')), /*plus_as_space=*/false);
  http::Response res;
  impl_->Finish(req, res);
  impl_->WriteError(req, res, "", status, std::string(reason), "");
  return res;
}

bool Surface::EnsureAdmin(const std::string& password) { return impl_->users.EnsureAdmin(password); }

void Surface::Handle(const http::Request& req, http::Response& res, std::string_view raw_path) {
  impl_->Handle(req, res, raw_path);
}

}  // namespace gridbase::docapi
