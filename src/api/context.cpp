#include "api/context.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cctype>

#include "api/errors.hpp"
#include "api/routes.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace gridbase::api {

namespace json = boost::json;

services::Actor Context::actor() const {
  services::Actor a;
  if (user) {
    a.user_id = user->id;
    a.is_staff = user->is_staff;
  }
  a.token = token;
  // Database-token requests never carry a connection id (realtime.md §3).
  if (user && !token) a.websocket_id = std::string(req.header("websocketid"));
  if (Query("send_webhook_events")) a.send_webhook_events = QueryFlag("send_webhook_events");
  return a;
}

int64_t Context::IntParam(std::string_view name) const {
  std::string_view v = params.get(name);
  int64_t out = 0;
  for (char c : v) out = out * 10 + (c - '0');
  return out;
}

const json::value& Context::Json() {
  if (body_) return *body_;
  std::string_view body = req.body;
  if (util::Trim(body).empty()) {
    body_.emplace(json::object{});
    return *body_;
  }
  std::string_view content_type = req.header("content-type");
  std::string_view media = util::Trim(content_type.substr(0, content_type.find(';')));
  if (!util::IEquals(media, "application/json")) {
    throw HttpError::Detail(415, "Unsupported media type \"" + std::string(content_type) +
                                     "\" in request.");
  }
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec) throw HttpError::Detail(400, "JSON parse error - " + ec.message());
  body_.emplace(std::move(v));
  return *body_;
}

std::optional<std::string> Context::Query(std::string_view name) const {
  std::string_view q = req.query;
  while (!q.empty()) {
    size_t amp = q.find('&');
    std::string_view pair = q.substr(0, amp);
    size_t eq = pair.find('=');
    std::string key = util::UrlDecode(pair.substr(0, eq));
    if (key == name) {
      return eq == std::string_view::npos ? std::string() : util::UrlDecode(pair.substr(eq + 1));
    }
    if (amp == std::string_view::npos) break;
    q.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

std::vector<std::pair<std::string, std::string>> Context::QueryParams() const {
  std::vector<std::pair<std::string, std::string>> out;
  std::string_view q = req.query;
  while (!q.empty()) {
    size_t amp = q.find('&');
    std::string_view pair = q.substr(0, amp);
    if (!pair.empty()) {
      size_t eq = pair.find('=');
      out.emplace_back(util::UrlDecode(pair.substr(0, eq)),
                       eq == std::string_view::npos ? std::string() : util::UrlDecode(pair.substr(eq + 1)));
    }
    if (amp == std::string_view::npos) break;
    q.remove_prefix(amp + 1);
  }
  return out;
}

bool Context::QueryFlag(std::string_view name) const {
  auto v = Query(name);
  if (!v) return false;
  std::string lower = util::ToLower(util::Trim(*v));
  if (lower.empty()) return true;
  return lower == "y" || lower == "yes" || lower == "t" || lower == "true" || lower == "on" || lower == "1";
}

std::string Context::BaseUrl() const {
  if (!public_url_.empty()) return public_url_;
  std::string_view host = req.header("host");
  std::string_view proto = req.header("x-forwarded-proto");
  return std::string(proto.empty() ? "http" : proto) + "://" + std::string(host);
}

namespace {

/// Python's urlencode(quote_plus) of one component.
std::string QuotePlus(std::string_view s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '_' || c == '.' || c == '-' || c == '~') {
      out += c;
    } else if (c == ' ') {
      out += '+';
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 15];
    }
  }
  return out;
}

}  // namespace

std::string Context::UrlWithQuery(const std::vector<std::pair<std::string, std::optional<std::string>>>& changes) const {
  auto params = QueryParams();
  for (const auto& [name, value] : changes) {
    params.erase(std::remove_if(params.begin(), params.end(), [&](const auto& p) { return p.first == name; }),
                 params.end());
    if (value) params.emplace_back(name, *value);
  }
  std::stable_sort(params.begin(), params.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string url = BaseUrl() + req.path;
  for (size_t i = 0; i < params.size(); ++i) {
    url += (i ? "&" : "?") + QuotePlus(params[i].first) + "=" + QuotePlus(params[i].second);
  }
  return url;
}

void RegisterAllRoutes(ApiRouter& router) {
  RegisterUserRoutes(router);
  RegisterWorkspaceRoutes(router);
  RegisterApplicationRoutes(router);
  RegisterSettingsRoutes(router);
  RegisterTableRoutes(router);
  RegisterFieldRoutes(router);
  RegisterRowRoutes(router);
  RegisterTokenRoutes(router);
  RegisterInvitationRoutes(router);
  RegisterWebhookRoutes(router);
  RegisterEventRoutes(router);
  RegisterViewRoutes(router);
  RegisterJobRoutes(router);
}

std::optional<int64_t> IntQuery(Context& ctx, std::string_view name) {
  auto raw = ctx.Query(name);
  if (!raw) return std::nullopt;
  auto n = CoerceInt(json::value(json::string(*raw)));
  if (!n) QueryInvalid(name, "A valid integer is required.", "invalid");
  return n;
}

void QueryInvalid(std::string_view key, std::string_view message, std::string_view code) {
  throw Error("ERROR_QUERY_PARAMETER_VALIDATION",
              json::value(json::object{{key, json::array{json::object{{"error", message}, {"code", code}}}}}));
}

void Context::SendJson(int status, const json::value& body) {
  res.status = status;
  res.body = json::serialize(body);
}

void Context::SendNoContent() {
  res.status = 204;
  res.body.clear();
}

}  // namespace gridbase::api
