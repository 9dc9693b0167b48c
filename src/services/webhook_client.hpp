#pragma once
// Outgoing webhook HTTP calls (webhooks.md §5–§8) through libcurl: URL checks, the
// server-side request forgery guard (checked on every connection curl opens, so it holds
// after DNS resolution and redirects), and the request/response texts of the call log.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gridbase::services {

struct WebhookRequest {
  std::string method = "POST";  // POST, GET, PUT, PATCH, DELETE; a body is sent with every method
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;  // in send order
  std::string body;  // JSON text
};

struct WebhookResult {
  bool sent = false;           // a request went out on a connection
  std::string request_text;    // call-log "request" text (§6.4), "" when nothing was sent
  std::string response_text;   // call-log "response" text (§6.4), "" without a response
  std::optional<int> status;   // final HTTP status after redirects
  std::string error;           // "" on success; the network/address error text otherwise
  bool unreachable = false;    // connection error, timeout or refused address
  bool ok() const { return status && *status < 400; }
};

struct WebhookClientOptions {
  bool allow_private = false;  // GRIDBASE_WEBHOOKS_ALLOW_PRIVATE_ADDRESS
  std::chrono::milliseconds timeout{5000};
};

/// Sends one request, following redirects; never throws for network failures.
WebhookResult CallWebhook(const WebhookRequest& request, const WebhookClientOptions& options);

/// §7.1: Django's URLValidator with schemes http, https, ftp, ftps.
bool IsValidWebhookUrl(std::string_view url);
/// §7.2: resolves the host and connects to host:port within `timeout`, refusing private,
/// loopback, link-local, multicast and reserved addresses.
bool IsReachablePublicUrl(std::string_view url, std::chrono::milliseconds timeout);

/// True for addresses a webhook may not call without allow_private (IPv4 and IPv6).
bool IsForbiddenAddress(std::string_view ip);

/// HTTP token rules for header names; values must not contain CR or LF.
bool IsValidHeaderName(std::string_view name);
bool IsValidHeaderValue(std::string_view value);

/// JSON text re-printed like Python's json.dumps(value, indent=4) (ASCII only, key order
/// kept); nullopt when `text` is not JSON.
std::optional<std::string> PrettyJson(std::string_view text);
/// JSON text re-printed like Python's json.dumps(value): ", " and ": " separators, ASCII
/// only: the body Baserow's webhook calls carry. nullopt when `text` is not JSON.
std::optional<std::string> PythonJson(std::string_view text);
/// Baserow's truncate_middle: longer than `max` → head + "\n...(truncated)\n" + tail.
std::string TruncateMiddle(std::string text, size_t max = 100000);

}  // namespace gridbase::services
