#pragma once
// The BaasBox HTTP surface (baasbox.md §1–§4): its own router, authentication (§2), sessions
// (§3) and envelope/error mapping (§4). It never produces a Baserow error body, and the
// Baserow dispatcher never sees its requests. App mounts it under a prefix of the main
// listener and, optionally, at the root of a dedicated listener (§1.1).
#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "http/message.hpp"

namespace gridbase::services {
class Mailer;
}
namespace gridbase::store {
class Store;
}

namespace gridbase::docapi {

struct Options {
  std::string app_code = "1234567890";
  std::string api_version = "0.9.5";
  /// Sliding idle expiry of session tokens; zero = never.
  std::chrono::milliseconds session_timeout = std::chrono::minutes(15);
  /// Query time limit of §8.9 (each read transaction of the surface); zero = none. Past it the
  /// answer is 503 «Query timeout».
  std::chrono::milliseconds query_timeout = std::chrono::seconds(10);
};

class Surface {
 public:
  Surface(store::Store& store, services::Mailer& mailer, Options options);
  ~Surface();
  Surface(const Surface&) = delete;
  Surface& operator=(const Surface&) = delete;

  /// Creates the built-in `admin` account on first start (§2.4). Returns true if created.
  bool EnsureAdmin(const std::string& password);

  /// Answers one request. `raw_path` is the request path as sent (still percent-encoded),
  /// relative to the mount point, starting with '/' (or empty for the bare prefix).
  void Handle(const http::Request& req, http::Response& res, std::string_view raw_path);

  /// The envelope for a request the HTTP layer refused before routing (413, 431, malformed),
  /// so BaasBox clients get §4.2 there too.
  http::Response Rejection(int status, std::string_view reason, std::string_view target);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

/// Whether `raw_path` lies under `prefix` ("/baasbox"); sets `rest` to the part after it.
bool UnderPrefix(std::string_view raw_path, std::string_view prefix, std::string_view* rest);

}  // namespace gridbase::docapi
