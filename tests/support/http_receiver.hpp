#pragma once
// A tiny HTTP/1.1 server on 127.0.0.1 (ephemeral port) running in a background thread: a webhook
// target that records requests and answers with canned responses.
#include <boost/json.hpp>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace gbtest {

struct ReceivedRequest {
  std::string method, target, body;
  std::map<std::string, std::string> headers;  // lower-case names
  boost::json::value json() const;             // parsed body (throws if not JSON)
  std::string header(const std::string& lower) const {
    auto it = headers.find(lower);
    return it == headers.end() ? std::string() : it->second;
  }
};

struct CannedResponse {
  int status = 200;
  std::string body = "{}";
  std::string content_type = "application/json";
  int delay_ms = 0;  // wait before answering (does not block other connections)
  std::vector<std::pair<std::string, std::string>> headers;
};

class HttpReceiver {
 public:
  HttpReceiver();   // binds 127.0.0.1:0 and starts serving
  ~HttpReceiver();  // stops and joins
  HttpReceiver(const HttpReceiver&) = delete;
  HttpReceiver& operator=(const HttpReceiver&) = delete;

  int port() const;
  std::string url(const std::string& path = "/hook") const;  // "http://127.0.0.1:<port>/hook"
  /// Responses to give, in order; when the queue is empty the default response is used.
  void Enqueue(CannedResponse r);
  void SetDefault(CannedResponse r);
  /// Waits until at least n requests have arrived (false on timeout).
  bool WaitFor(size_t n, int timeout_ms = 5000);
  std::vector<ReceivedRequest> requests() const;  // copy, in arrival order
  size_t count() const;
  /// Forgets the recorded requests (queued canned responses and the default are kept).
  void Clear();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gbtest
