#pragma once
// A small blocking WebSocket client for API tests (Boost.Beast over plain TCP, 127.0.0.1 only).
#include <boost/json.hpp>
#include <memory>
#include <optional>
#include <string>

namespace gbtest {

class WsClient {
 public:
  /// Connects to ws://127.0.0.1:<port><target> (target e.g. "/ws/core/?jwt_token=abc").
  /// Throws std::runtime_error on failure (connection refused, handshake declined, ...).
  WsClient(int port, const std::string& target);
  ~WsClient();  // closes politely, never throws
  WsClient(const WsClient&) = delete;
  WsClient& operator=(const WsClient&) = delete;

  /// Sends a text frame. Throws std::runtime_error if the connection is closed or the write fails.
  void Send(const std::string& text);
  void Send(const boost::json::value& v);
  void Send(const char* text) { Send(std::string(text)); }
  /// Next message, waiting at most `timeout_ms`; nullopt on timeout; nullopt also when the server
  /// closed the connection (then closed() is true). A read outstanding at a timeout is kept, so
  /// no message is ever lost; messages are returned in arrival order.
  std::optional<std::string> Receive(int timeout_ms = 3000);
  /// Receive() parsed as JSON; nullopt on timeout/close. Throws std::runtime_error if not JSON.
  std::optional<boost::json::value> ReceiveJson(int timeout_ms = 3000);
  /// Waits for the next message whose "type" equals `type`, discarding others (also non-JSON
  /// ones); nullopt on timeout/close.
  std::optional<boost::json::value> ReceiveType(const std::string& type, int timeout_ms = 3000);
  /// True when nothing arrives within `ms` milliseconds (a close also counts as nothing). A message
  /// that does arrive is kept for the next Receive().
  bool Silent(int ms = 300);
  bool closed() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gbtest
