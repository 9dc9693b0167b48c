#pragma once
// Plain request/response records: the only HTTP types the layers above http/ see, so
// api/ and services/ never include Beast or Asio.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gridbase::http {

struct Header {
  std::string name;  // lower-case
  std::string value;
};

struct Request {
  uint64_t id = 0;  // request id, unique per process
  std::string method;
  std::string target;  // as sent: path + "?" + query
  std::string path;    // percent-decoded path
  std::string query;   // raw query string (without "?")
  std::vector<Header> headers;
  std::string body;
  std::string remote;

  /// The first header with that (lower-case) name, or "" when absent.
  std::string_view header(std::string_view lower_name) const {
    for (const auto& h : headers)
      if (h.name == lower_name) return h.value;
    return {};
  }
  bool has_header(std::string_view lower_name) const {
    for (const auto& h : headers)
      if (h.name == lower_name) return true;
    return false;
  }
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::vector<Header> headers;
  std::string body;
  bool close = false;  // close the connection after this response

  void set_header(std::string name, std::string value) {
    for (auto& h : headers) {
      if (h.name == name) {
        h.value = std::move(value);
        return;
      }
    }
    headers.push_back({std::move(name), std::move(value)});
  }
};

/// One open WebSocket connection as the layers above http/ see it. Thread-safe: Send and
/// Close may be called from any thread; messages go out in the order they were sent.
class WsConnection {
 public:
  virtual ~WsConnection() = default;
  /// Queues a text message. A connection whose queue grows past its limit (a client that
  /// does not read) is closed.
  virtual void Send(std::shared_ptr<const std::string> text) = 0;
  /// Closes the connection after the messages already queued.
  virtual void Close() = 0;
};

/// What the server calls for connections upgraded to WebSocket. OnOpen runs before the first
/// read, so a message sent there is the first the client receives; calls for one connection
/// never overlap.
class WsEndpoint {
 public:
  virtual ~WsEndpoint() = default;
  virtual void OnOpen(const std::shared_ptr<WsConnection>& conn, const Request& req) = 0;
  virtual void OnMessage(const std::shared_ptr<WsConnection>& conn, std::string_view text) = 0;
  virtual void OnClose(const std::shared_ptr<WsConnection>& conn) = 0;
};

}  // namespace gridbase::http
