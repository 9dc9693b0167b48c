#pragma once
// Realtime (realtime.md): the `/ws/core/` WebSocket endpoint and the outbox consumer that
// broadcasts. A connection authenticates once with `jwt_token` (an access JWT) or, beyond
// Baserow, `token` (a database token, which may subscribe to the tables it can read).
// Clients subscribe to pages; each committed event goes to the subscribers of its table page
// or to its recipient users, never to the connection named by the causing request's
// `WebSocketId`.
#include <memory>

#include "events/bus.hpp"
#include "http/message.hpp"

namespace gridbase::services {
struct Services;
}

namespace gridbase::ws {

class Hub : public http::WsEndpoint, public events::Consumer {
 public:
  explicit Hub(services::Services& services);
  ~Hub() override;

  void OnOpen(const std::shared_ptr<http::WsConnection>& conn, const http::Request& req) override;
  void OnMessage(const std::shared_ptr<http::WsConnection>& conn, std::string_view text) override;
  void OnClose(const std::shared_ptr<http::WsConnection>& conn) override;

  std::string_view name() const override { return "realtime"; }
  /// Realtime starts with the newest event: a reconnecting client catches up by replay.
  int64_t StartAfter(store::Store&, int64_t newest) override { return newest; }
  void Handle(const std::vector<events::StoredEvent>& events) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gridbase::ws
