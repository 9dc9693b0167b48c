#include "support/ws_client.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <deque>
#include <stdexcept>

namespace gbtest {

namespace {
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;
}  // namespace

struct WsClient::Impl {
  net::io_context ioc;
  websocket::stream<beast::tcp_stream> ws{ioc};
  beast::flat_buffer buffer;
  std::deque<std::string> queue;
  bool reading = false;
  bool closed = false;

  /// Runs handlers until `done()` or the deadline; returns done().
  template <class Pred>
  bool RunUntil(Pred done, Clock::time_point deadline) {
    while (!done()) {
      auto now = Clock::now();
      if (now >= deadline) {  // still let handlers that are already due run once
        if (ioc.stopped()) ioc.restart();
        ioc.poll();
        break;
      }
      if (ioc.stopped()) ioc.restart();
      if (ioc.run_one_for(deadline - now) == 0 && ioc.stopped()) break;  // no work left
    }
    return done();
  }

  /// Starts one read unless one is outstanding (it survives timeouts, so nothing is lost).
  void StartRead() {
    if (reading || closed) return;
    reading = true;
    ws.async_read(buffer, [this](beast::error_code ec, std::size_t) {
      reading = false;
      if (ec) {
        closed = true;
        return;
      }
      queue.push_back(beast::buffers_to_string(buffer.data()));
      buffer.consume(buffer.size());
    });
  }
};

WsClient::WsClient(int port, const std::string& target) : impl_(std::make_unique<Impl>()) {
  auto& ws = impl_->ws;
  tcp::endpoint ep(net::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port));
  beast::error_code ec;
  beast::get_lowest_layer(ws).socket().connect(ep, ec);
  if (ec) throw std::runtime_error("websocket connect to port " + std::to_string(port) + ": " + ec.message());

  struct State {
    bool done = false;
    beast::error_code ec;
    websocket::response_type res;
  };
  auto st = std::make_shared<State>();
  beast::get_lowest_layer(ws).expires_after(std::chrono::seconds(10));
  ws.async_handshake(st->res, "127.0.0.1:" + std::to_string(port), target, [st](beast::error_code e) {
    st->done = true;
    st->ec = e;
  });
  impl_->RunUntil([&] { return st->done; }, Clock::now() + std::chrono::seconds(15));
  if (!st->done || st->ec) {
    std::string why = st->done ? st->ec.message() : "timeout";
    if (st->res.result_int() != 0) why += " (HTTP " + std::to_string(st->res.result_int()) + ")";
    beast::get_lowest_layer(ws).socket().close(ec);
    throw std::runtime_error("websocket handshake for " + target + " failed: " + why);
  }
  beast::get_lowest_layer(ws).expires_never();
}

WsClient::~WsClient() {
  try {
    auto& im = *impl_;
    if (!im.closed && im.ws.is_open()) {
      auto done = std::make_shared<bool>(false);
      im.ws.async_close(websocket::close_code::normal, [done](beast::error_code) { *done = true; });
      im.RunUntil([&] { return *done && !im.reading; }, Clock::now() + std::chrono::seconds(1));
    }
    beast::error_code ec;
    beast::get_lowest_layer(im.ws).socket().close(ec);
  } catch (...) {
  }
}

void WsClient::Send(const std::string& text) {
  if (impl_->closed) throw std::runtime_error("websocket is closed");
  struct State {
    bool done = false;
    beast::error_code ec;
    std::string data;
  };
  auto st = std::make_shared<State>();
  st->data = text;
  impl_->ws.text(true);
  impl_->ws.async_write(net::buffer(st->data), [st](beast::error_code e, std::size_t) {
    st->done = true;
    st->ec = e;
  });
  impl_->RunUntil([&] { return st->done; }, Clock::now() + std::chrono::seconds(10));
  if (!st->done) throw std::runtime_error("websocket write timed out");
  if (st->ec) throw std::runtime_error("websocket write failed: " + st->ec.message());
}

void WsClient::Send(const boost::json::value& v) { Send(boost::json::serialize(v)); }

std::optional<std::string> WsClient::Receive(int timeout_ms) {
  auto& im = *impl_;
  auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  if (im.queue.empty() && !im.closed) {
    im.StartRead();
    im.RunUntil([&] { return !im.queue.empty() || im.closed; }, deadline);
  }
  if (im.queue.empty()) return std::nullopt;
  std::string msg = std::move(im.queue.front());
  im.queue.pop_front();
  return msg;
}

std::optional<boost::json::value> WsClient::ReceiveJson(int timeout_ms) {
  auto msg = Receive(timeout_ms);
  if (!msg) return std::nullopt;
  boost::system::error_code ec;
  auto v = boost::json::parse(*msg, ec);
  if (ec) throw std::runtime_error("websocket message is not JSON: " + *msg);
  return v;
}

std::optional<boost::json::value> WsClient::ReceiveType(const std::string& type, int timeout_ms) {
  auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    auto msg = Receive(static_cast<int>(std::max<long long>(left, 0)));
    if (!msg) return std::nullopt;
    boost::system::error_code ec;
    auto v = boost::json::parse(*msg, ec);
    if (ec || !v.is_object()) continue;
    const auto* t = v.as_object().if_contains("type");
    if (t && t->is_string() && t->as_string() == type) return v;
  }
}

bool WsClient::Silent(int ms) {
  auto msg = Receive(ms);
  if (!msg) return true;
  impl_->queue.push_front(std::move(*msg));
  return false;
}

bool WsClient::closed() const { return impl_->closed; }

}  // namespace gbtest
