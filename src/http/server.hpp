#pragma once
// The HTTP/1.1 listener (Boost.Beast): one io_context per worker thread with its own
// SO_REUSEPORT acceptor, keep-alive, header/body/idle timeouts, a body limit, a connection
// cap and graceful shutdown. It hands each complete request to one Handler.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "http/message.hpp"

namespace gridbase::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8000;
  int threads = 1;
  size_t body_limit = 20 * 1024 * 1024;
  size_t max_connections = 10000;
  std::chrono::milliseconds header_timeout{10000};
  std::chrono::milliseconds body_timeout{60000};
  std::chrono::milliseconds idle_timeout{75000};
  std::chrono::milliseconds shutdown_grace{10000};
  bool access_log = true;
  /// Upgrade requests whose path starts with `ws_path_prefix` go to `ws` (when set).
  WsEndpoint* ws = nullptr;
  std::string ws_path_prefix = "/ws/";
  size_t ws_max_queued_messages = 4096;
  /// A request refused before routing (400 malformed, 413, 431) normally gets
  /// `{"detail": reason}`; when this returns a response, that one is sent instead (status kept).
  /// `target` is the request target as far as it was parsed (may be empty). Lets a second API
  /// surface keep its own error bodies.
  std::function<std::optional<Response>(int status, std::string_view reason, std::string_view target)> on_reject;
};

using Handler = std::function<void(const Request&, Response&)>;

class Server {
 public:
  Server(ServerOptions options, Handler handler);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Binds the listeners; returns the bound port (useful with port 0). Throws on failure.
  uint16_t Listen();
  /// Serves until Shutdown() (or SIGINT/SIGTERM when `handle_signals`), then drains.
  void Run(bool handle_signals);
  /// Stops accepting, lets in-flight requests finish, closes idle connections.
  void Shutdown();

  struct Impl;  // opaque; public so the listener's internals can name it

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace gridbase::http
