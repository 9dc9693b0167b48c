#pragma once
// The middleware chain, in this order: CORS pre-flight → routing (404 / trailing slash) →
// authentication → method (405) → handler → error mapping → CORS and request-id headers.
#include <string>
#include <vector>

#include "api/context.hpp"

namespace gridbase::api {

struct DispatcherOptions {
  std::vector<std::string> cors_origins{"*"};  // "*" allows every origin
  std::string public_url;                      // base of absolute links; empty = from Host
};

class Dispatcher {
 public:
  Dispatcher(services::Services& services, DispatcherOptions options);

  ApiRouter& router() { return router_; }
  void Handle(const http::Request& req, http::Response& res);

 private:
  void Authenticate(Context& ctx, AuthMode mode);
  std::string AllowedOrigin(const http::Request& req) const;

  services::Services& services_;
  DispatcherOptions options_;
  ApiRouter router_;
};

}  // namespace gridbase::api
