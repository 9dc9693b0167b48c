// Self-test of the test-support helpers: HttpReceiver (webhook target) and WsClient.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <thread>

#include "support/http_client.hpp"
#include "support/http_receiver.hpp"
#include "support/server_process.hpp"
#include "support/ws_client.hpp"

namespace gbtest {
namespace {

namespace json = boost::json;
namespace beast = boost::beast;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

long long MsSince(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t).count();
}

/// A one-connection WebSocket echo server on 127.0.0.1:0. Special messages: "later" → "late"
/// after 400 ms; "burst" → three typed JSON messages; "close" → the server closes.
class EchoServer {
 public:
  EchoServer() : acceptor_(ioc_, {net::ip::make_address("127.0.0.1"), 0}) {
    port_ = acceptor_.local_endpoint().port();
    thread_ = std::thread([this] { Serve(); });
  }
  ~EchoServer() {
    if (!accepted_) {  // unblock accept() with a connection that closes at once
      tcp::socket s(ioc_);
      boost::system::error_code ec;
      s.connect(acceptor_.local_endpoint(), ec);
    }
    thread_.join();
  }
  int port() const { return port_; }

 private:
  void Serve() {
    boost::system::error_code ec;
    tcp::socket sock(ioc_);
    acceptor_.accept(sock, ec);
    accepted_ = true;
    if (ec) return;
    beast::websocket::stream<tcp::socket> ws(std::move(sock));
    ws.accept(ec);
    while (!ec) {
      beast::flat_buffer buf;
      ws.read(buf, ec);
      if (ec) return;
      std::string msg = beast::buffers_to_string(buf.data());
      if (msg == "close") {
        ws.close(beast::websocket::close_code::normal, ec);
        return;
      }
      if (msg == "later") std::this_thread::sleep_for(std::chrono::milliseconds(400));
      if (msg == "burst") {
        for (auto m : {R"({"type":"a","i":0})", R"(not json)", R"({"type":"b","i":1})", R"({"type":"a","i":2})"})
          ws.write(net::buffer(std::string(m)), ec);
        continue;
      }
      ws.text(true);
      ws.write(net::buffer(msg == "later" ? std::string("late") : msg), ec);
    }
  }

  net::io_context ioc_;
  tcp::acceptor acceptor_;
  int port_ = 0;
  std::atomic<bool> accepted_{false};
  std::thread thread_;
};

TEST(HttpReceiverSelfTest, RecordsRequestsAndReturnsCannedResponses) {
  HttpReceiver r;
  EXPECT_EQ(r.url(), "http://127.0.0.1:" + std::to_string(r.port()) + "/hook");
  EXPECT_FALSE(r.WaitFor(1, 100));
  r.Enqueue({.status = 201, .body = R"({"ok":true})", .headers = {{"X-Test", "yes"}}});
  HttpClient c("http://127.0.0.1:" + std::to_string(r.port()));
  auto res = c.Request("POST", "/hook?a=1", R"({"x":1})", {"X-Custom: abc"});
  EXPECT_EQ(res.status, 201);
  EXPECT_EQ(res.body, R"({"ok":true})");
  EXPECT_EQ(res.header("x-test"), "yes");
  EXPECT_EQ(res.header("content-type"), "application/json");
  ASSERT_TRUE(r.WaitFor(1));
  auto reqs = r.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].method, "POST");
  EXPECT_EQ(reqs[0].target, "/hook?a=1");
  EXPECT_EQ(reqs[0].headers.at("x-custom"), "abc");
  EXPECT_EQ(reqs[0].headers.at("content-type"), "application/json");
  EXPECT_EQ(reqs[0].json(), json::parse(R"({"x":1})"));

  // Queue empty: the default answers; then a new default (on the same keep-alive connection).
  res = c.Get("/other");
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.body, "{}");
  r.SetDefault({.status = 500, .body = "boom", .content_type = "text/plain", .headers = {}});
  res = c.Request("PUT", "/hook", "data", {"Content-Type: text/plain"});
  EXPECT_EQ(res.status, 500);
  EXPECT_EQ(res.body, "boom");
  EXPECT_EQ(res.header("content-type"), "text/plain");
  EXPECT_EQ(r.count(), 3u);
  EXPECT_EQ(r.requests()[2].body, "data");
  EXPECT_THROW(r.requests()[2].json(), std::runtime_error);
  r.Clear();
  EXPECT_EQ(r.count(), 0u);
}

TEST(HttpReceiverSelfTest, DelayedResponseDoesNotBlockOtherConnections) {
  HttpReceiver r;
  r.Enqueue({.body = "slow", .content_type = "text/plain", .delay_ms = 800, .headers = {}});
  HttpResponse slow;
  auto t0 = Clock::now();
  std::thread t([&] { slow = HttpClient(r.url("")).Get("/slow"); });
  ASSERT_TRUE(r.WaitFor(1));
  auto t1 = Clock::now();
  auto fast = HttpClient(r.url("")).Get("/fast");
  EXPECT_LT(MsSince(t1), 500);
  EXPECT_EQ(fast.body, "{}");
  t.join();
  EXPECT_GE(MsSince(t0), 800);
  EXPECT_EQ(slow.body, "slow");
}

TEST(HttpReceiverSelfTest, AnswersExpectContinue) {
  HttpReceiver r;
  int fd = ConnectRaw(r.port());
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(SendRaw(fd, "POST /h HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nExpect: 100-continue\r\n"
                          "Connection: close\r\n\r\n"));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  ASSERT_TRUE(SendRaw(fd, "{}"));
  bool closed = false;
  std::string out = ReadUntilClose(fd, 3000, &closed);
  ::close(fd);
  EXPECT_TRUE(closed);
  EXPECT_EQ(out.rfind("HTTP/1.1 100 Continue\r\n", 0), 0u) << out;
  EXPECT_NE(out.find("HTTP/1.1 200 OK\r\n"), std::string::npos) << out;
  ASSERT_EQ(r.count(), 1u);
  EXPECT_EQ(r.requests()[0].body, "{}");
}

TEST(WsClientSelfTest, EchoTimeoutKeepsPendingReadAndTypes) {
  EchoServer server;
  WsClient ws(server.port(), "/ws/core/?jwt_token=abc");
  EXPECT_TRUE(ws.Silent(100));
  ws.Send("hello");
  EXPECT_EQ(ws.Receive(), "hello");
  ws.Send(json::value{{"type", "ping"}});
  EXPECT_FALSE(ws.Silent(2000));  // arrives, and stays queued
  EXPECT_EQ(ws.ReceiveJson(), json::parse(R"({"type":"ping"})"));
  ws.Send("later");
  EXPECT_EQ(ws.Receive(100), std::nullopt);  // times out; the read stays outstanding
  EXPECT_EQ(ws.Receive(2000), "late");
  ws.Send("burst");
  auto b = ws.ReceiveType("b");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->at("i"), json::value(1));
  EXPECT_EQ(ws.ReceiveJson()->at("i"), json::value(2));
  EXPECT_EQ(ws.ReceiveType("zzz", 200), std::nullopt);
  EXPECT_FALSE(ws.closed());
  ws.Send("close");
  EXPECT_EQ(ws.Receive(), std::nullopt);
  EXPECT_TRUE(ws.closed());
  EXPECT_THROW(ws.Send("x"), std::runtime_error);
}

TEST(WsClientSelfTest, DestructorClosesPolitelyWithPendingRead) {
  EchoServer server;
  auto t0 = Clock::now();
  {
    WsClient ws(server.port(), "/");
    ws.Send("later");
    EXPECT_EQ(ws.Receive(50), std::nullopt);
  }
  EXPECT_LT(MsSince(t0), 900);  // the server answered the close frame (no 1 s fallback)
}

TEST(WsClientSelfTest, FailedConnectOrHandshakeThrows) {
  HttpReceiver not_ws;  // answers the upgrade request with a plain 200
  EXPECT_THROW(WsClient(not_ws.port(), "/ws/"), std::runtime_error);
  EXPECT_THROW(WsClient(FreePort(), "/ws/"), std::runtime_error);
  EchoServer server;  // destroyed without a client: must not hang
}

}  // namespace
}  // namespace gbtest
