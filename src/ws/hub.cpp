#include "ws/hub.hpp"

#include <spdlog/spdlog.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <mutex>
#include <set>
#include <unordered_map>

#include "services/outbox.hpp"
#include "services/schema.hpp"
#include "services/services.hpp"
#include "util/crypto.hpp"
#include "util/strings.hpp"

namespace gridbase::ws {

namespace json = boost::json;
using http::WsConnection;

namespace {

struct Page {
  std::string kind;  // "table" or "row"
  int64_t table_id = 0;
  int64_t row_id = 0;
  int64_t workspace_id = 0;
  bool operator==(const Page& o) const { return kind == o.kind && table_id == o.table_id && row_id == o.row_id; }
};

struct Conn {
  std::shared_ptr<WsConnection> ws;
  std::string id;  // web_socket_id
  int64_t user_id = 0;
  services::Actor actor;
  std::vector<Page> pages;
};

/// First value of a query parameter, percent-decoded.
std::optional<std::string> QueryValue(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    size_t eq = pair.find('=');
    if (util::UrlDecode(pair.substr(0, eq)) == name) {
      return eq == std::string_view::npos ? std::string() : util::UrlDecode(pair.substr(eq + 1));
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

std::shared_ptr<const std::string> Text(const json::value& v) {
  return std::make_shared<const std::string>(json::serialize(v));
}

json::object PageParameters(const Page& p) {
  if (p.kind == "row") return json::object{{"table_id", p.table_id}, {"row_id", p.row_id}};
  return json::object{{"table_id", p.table_id}};
}

std::optional<int64_t> IntParam(const json::object& msg, std::string_view key) {
  const auto* v = msg.if_contains(key);
  if (!v) return std::nullopt;
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64()) return static_cast<int64_t>(v->as_uint64());
  if (v->is_string()) {
    int64_t out = 0;
    std::string_view s = v->as_string();
    if (s.empty() || s.size() > 18) return std::nullopt;
    for (char c : s) {
      if (c < '0' || c > '9') return std::nullopt;
      out = out * 10 + (c - '0');
    }
    return out;
  }
  return std::nullopt;
}

}  // namespace

struct Hub::Impl {
  services::Services& services;
  std::mutex mu;
  std::unordered_map<WsConnection*, Conn> conns;
  std::unordered_map<int64_t, std::set<WsConnection*>> by_user;
  std::unordered_map<int64_t, std::set<WsConnection*>> by_table;  // table page subscribers

  explicit Impl(services::Services& s) : services(s) {}

  /// Checks that the connection may see `page`; fills its workspace. Runs outside the lock.
  bool Allowed(const services::Actor& actor, Page& page) {
    try {
      return services.store.ReadResult([&](store::Tx& tx) {
        auto schema = services::LoadSchemaFor(
            tx, actor, page.table_id, page.kind == "row" ? "database.table.read_row" : "database.table.list_rows");
        page.workspace_id = schema.workspace_id;
        if (page.kind == "row") {
          return tx.QueryInt("SELECT id FROM " + schema.sql_table() + " WHERE id = ? AND trashed = 0", page.row_id)
              .has_value();
        }
        return true;
      });
    } catch (const std::exception&) {
      return false;  // refused subscriptions get no reply (realtime.md §2)
    }
  }

  void AddPage(Conn& c, const Page& p) {
    if (std::find(c.pages.begin(), c.pages.end(), p) == c.pages.end()) {
      c.pages.push_back(p);
      if (p.kind == "table") by_table[p.table_id].insert(c.ws.get());
    }
  }

  void RemovePage(Conn& c, const Page& p) {
    auto it = std::find(c.pages.begin(), c.pages.end(), p);
    if (it == c.pages.end()) return;
    c.pages.erase(it);
    if (p.kind == "table") {
      auto t = by_table.find(p.table_id);
      if (t != by_table.end()) {
        t->second.erase(c.ws.get());
        if (t->second.empty()) by_table.erase(t);
      }
    }
  }

  void Forget(WsConnection* ws) {
    auto it = conns.find(ws);
    if (it == conns.end()) return;
    Conn& c = it->second;
    for (const auto& p : std::vector<Page>(c.pages)) RemovePage(c, p);
    if (c.user_id && !c.actor.token) {
      auto u = by_user.find(c.user_id);
      if (u != by_user.end()) {
        u->second.erase(ws);
        if (u->second.empty()) by_user.erase(u);
      }
    }
    conns.erase(it);
  }

  /// Drops every page of `user`'s connections inside `workspace`, telling each connection.
  void DiscardWorkspacePages(int64_t user, int64_t workspace) {
    auto u = by_user.find(user);
    if (u == by_user.end()) return;
    for (WsConnection* ws : std::vector<WsConnection*>(u->second.begin(), u->second.end())) {
      Conn& c = conns.at(ws);
      for (const auto& p : std::vector<Page>(c.pages)) {
        if (p.workspace_id != workspace) continue;
        RemovePage(c, p);
        c.ws->Send(Text(json::object{{"type", "page_discard"}, {"page", p.kind}, {"parameters", PageParameters(p)}}));
      }
    }
  }

  void Deliver(const events::StoredEvent& e) {
    if (e.type == services::kTokenChangedEvent) {
      // A token whose key or grants changed: its connections reconnect and subscribe again
      // under the new permissions.
      auto msg = json::parse(*e.message).as_object();
      int64_t token_id = msg.at("token_id").as_int64();
      for (auto& [ws, c] : conns)
        if (c.actor.token && c.actor.token->id == token_id) c.ws->Close();
      return;
    }
    if (e.recipients) {
      for (int64_t user : *e.recipients) {
        auto u = by_user.find(user);
        if (u == by_user.end()) continue;
        for (WsConnection* ws : u->second) {
          Conn& c = conns.at(ws);
          if (!e.exclude_ws.empty() && c.id == e.exclude_ws) continue;
          c.ws->Send(e.message);
          if (e.type == "force_disconnect") c.ws->Close();
        }
      }
      if (e.type == "group_user_deleted" || e.type == "group_deleted") {
        auto msg = json::parse(*e.message).as_object();
        if (e.type == "group_deleted") {
          for (int64_t user : *e.recipients) DiscardWorkspacePages(user, e.workspace_id);
        } else if (const auto* member = msg.if_contains("workspace_user"); member && member->is_object()) {
          DiscardWorkspacePages(member->as_object().at("user_id").as_int64(), e.workspace_id);
        }
      }
      return;
    }
    if (!e.table_id) return;
    auto t = by_table.find(*e.table_id);
    if (t == by_table.end()) return;
    for (WsConnection* ws : t->second) {
      Conn& c = conns.at(ws);
      if (!e.exclude_ws.empty() && c.id == e.exclude_ws) continue;
      c.ws->Send(e.message);
    }
  }
};

Hub::Hub(services::Services& services) : impl_(std::make_unique<Impl>(services)) {}
Hub::~Hub() = default;

void Hub::OnOpen(const std::shared_ptr<WsConnection>& conn, const http::Request& req) {
  auto jwt = QueryValue(req.query, "jwt_token");
  auto key = QueryValue(req.query, "token");
  Conn c;
  c.ws = conn;
  bool ok = false;
  bool anonymous = jwt && *jwt == "anonymous";
  if (anonymous) {
    // Anonymous connections are for public view pages (realtime.md §1); they can follow no
    // table or row page.
    ok = true;
  } else if (jwt && !jwt->empty()) {
    services::User user;
    if (impl_->services.auth.CheckAccessToken(*jwt, &user) == services::AccessCheck::kOk && !user.to_be_deleted) {
      c.user_id = user.id;
      c.actor.user_id = user.id;
      c.actor.is_staff = user.is_staff;
      ok = true;
    }
  } else if (key && !key->empty()) {
    services::User user;
    services::TokenActor token;
    if (impl_->services.tokens.Authenticate(*key, &user, &token) == services::TokenCheck::kOk) {
      c.user_id = user.id;
      c.actor.user_id = user.id;
      c.actor.token = std::move(token);
      ok = true;
    }
  }
  bool any_credential = (jwt && !jwt->empty()) || (key && !key->empty());
  if (!ok) {
    json::value id = any_credential ? json::value(util::NewUuid()) : json::value(nullptr);
    conn->Send(Text(json::object{{"type", "authentication"}, {"success", false}, {"web_socket_id", id}}));
    conn->Close();
    return;
  }
  c.id = util::NewUuid();
  conn->Send(Text(json::object{{"type", "authentication"}, {"success", true}, {"web_socket_id", c.id}}));
  std::lock_guard lock(impl_->mu);
  if (!c.actor.token && c.user_id) impl_->by_user[c.user_id].insert(conn.get());
  impl_->conns.emplace(conn.get(), std::move(c));
}

void Hub::OnMessage(const std::shared_ptr<WsConnection>& conn, std::string_view text) {
  std::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return;  // unknown messages are ignored
  const auto& msg = v.as_object();
  services::Actor actor;
  {
    std::lock_guard lock(impl_->mu);
    auto it = impl_->conns.find(conn.get());
    if (it == impl_->conns.end()) return;
    actor = it->second.actor;
  }
  if (actor.user_id == 0) return;  // anonymous: no table or row pages
  auto page_of = [&](const json::value* kind) -> std::optional<Page> {
    if (!kind || !kind->is_string()) return std::nullopt;
    Page p;
    p.kind = std::string(kind->as_string());
    if (p.kind != "table" && p.kind != "row") return std::nullopt;
    auto table = IntParam(msg, "table_id");
    if (!table) return std::nullopt;
    p.table_id = *table;
    if (p.kind == "row") {
      auto row = IntParam(msg, "row_id");
      if (!row) return std::nullopt;
      p.row_id = *row;
    }
    return p;
  };
  if (auto p = page_of(msg.if_contains("page"))) {
    if (impl_->Allowed(actor, *p)) {
      std::lock_guard lock(impl_->mu);
      auto it = impl_->conns.find(conn.get());
      if (it != impl_->conns.end()) {
        impl_->AddPage(it->second, *p);
        conn->Send(Text(json::object{{"type", "page_add"}, {"page", p->kind}, {"parameters", PageParameters(*p)}}));
      }
    }
  }
  if (auto p = page_of(msg.if_contains("remove_page"))) {
    std::lock_guard lock(impl_->mu);
    auto it = impl_->conns.find(conn.get());
    if (it != impl_->conns.end()) {
      impl_->RemovePage(it->second, *p);
      conn->Send(Text(json::object{{"type", "page_discard"}, {"page", p->kind}, {"parameters", PageParameters(*p)}}));
    }
  }
}

void Hub::OnClose(const std::shared_ptr<WsConnection>& conn) {
  std::lock_guard lock(impl_->mu);
  impl_->Forget(conn.get());
}

void Hub::Handle(const std::vector<events::StoredEvent>& events) {
  std::lock_guard lock(impl_->mu);
  for (const auto& e : events) {
    try {
      impl_->Deliver(e);
    } catch (const std::exception& ex) {
      spdlog::error("realtime: event {} ({}) not delivered: {}", e.id, e.type, ex.what());
    }
  }
}

}  // namespace gridbase::ws
