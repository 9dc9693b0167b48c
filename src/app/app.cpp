#include "app/app.hpp"

#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "api/dispatcher.hpp"
#include "api/routes.hpp"
#include "events/bus.hpp"
#include "events/webhook_dispatcher.hpp"
#include "http/server.hpp"
#include "services/services.hpp"
#include "store/store.hpp"
#include "util/crypto.hpp"
#include "util/strings.hpp"
#include "ws/hub.hpp"

namespace gridbase::app {

namespace fs = std::filesystem;

namespace {

int ThreadCount(const Config& c) {
  if (c.threads > 0) return c.threads;
  unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(n);
}

void EnsureDataDir(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir)) {
    throw ConfigError("data dir " + dir + " is not usable: " +
                      (ec ? ec.message() : std::string("not a directory")));
  }
  fs::path probe = fs::path(dir) / ".write-test";
  std::ofstream f(probe);
  if (!f) throw ConfigError("data dir " + dir + " is not writable");
  f.close();
  fs::remove(probe, ec);
}

/// The SQLite file named by the database URL, or the default one in the data dir.
std::string SqlitePath(const Config& c) {
  const std::string& url = c.database_url;
  if (url.empty()) return (fs::path(c.data_dir) / "gridbase.db").string();
  if (url.rfind("sqlite:///", 0) == 0) return url.substr(9);  // keeps the leading '/'
  if (url.rfind("sqlite://", 0) == 0) return url.substr(9);
  if (url.rfind("sqlite:", 0) == 0) return url.substr(7);
  throw ConfigError("--database-url: unsupported URL " + url +
                    " (expected sqlite:///path or postgresql://user@host:port/database)");
}

std::string LoadOrCreateSecret(const Config& c, store::Store& s) {
  if (!c.secret_key.empty()) return c.secret_key;
  if (s.dialect().postgres()) {
    // Every process over the database signs and checks tokens with the same key.
    return s.WriteResult([](store::Tx& tx) {
      tx.Exec("INSERT INTO gridbase_secrets (name, value) VALUES ('secret_key', ?) ON CONFLICT (name) DO NOTHING",
              util::RandomHex(32));
      return *tx.QueryText("SELECT value FROM gridbase_secrets WHERE name = 'secret_key'");
    });
  }
  fs::path path = fs::path(c.data_dir) / "secret_key";
  std::ifstream in(path);
  std::string key;
  if (in && std::getline(in, key) && !util::Trim(key).empty()) return std::string(util::Trim(key));
  key = util::RandomHex(32);
  {
    std::ofstream out(path, std::ios::trunc);
    if (!out) throw ConfigError("cannot write the secret key to " + path.string());
    out << key << "\n";
  }
  ::chmod(path.c_str(), 0600);
  spdlog::info("generated a new secret key in {}", path.string());
  return key;
}

std::unique_ptr<store::Store> OpenStore(const Config& c) {
  EnsureDataDir(c.data_dir);
  if (store::IsPostgresUrl(c.database_url)) {
    try {
      return store::OpenPostgresStore(c.database_url, ThreadCount(c) + 1);
    } catch (const std::exception& e) {
      throw ConfigError(std::string("cannot open the database: ") + e.what());
    }
  }
  std::string path = SqlitePath(c);
  try {
    return store::OpenSqliteStore(path, ThreadCount(c) + 1);
  } catch (const std::exception& e) {
    throw ConfigError(std::string("cannot open the database: ") + e.what());
  }
}

}  // namespace

struct App::Parts {
  std::unique_ptr<store::Store> store;
  std::unique_ptr<services::Services> services;
  std::unique_ptr<api::Dispatcher> dispatcher;
  // The outbox consumers, in the order the bus calls them.
  std::unique_ptr<ws::Hub> realtime;
  std::unique_ptr<events::WebhookDispatcher> webhooks;
  std::unique_ptr<events::EventBus> bus;
};

App::App(Config config) : config_(std::move(config)), parts_(std::make_unique<Parts>()) {
  util::InitCrypto();
  parts_->store = OpenStore(config_);
  int applied = store::Migrate(*parts_->store);
  if (applied > 0) spdlog::info("applied {} migration(s)", applied);

  services::AuthConfig auth;
  auth.secret_key = LoadOrCreateSecret(config_, *parts_->store);
  services::MailConfig mail{config_.smtp_url, config_.smtp_user, config_.smtp_password, config_.smtp_from};
  parts_->services =
      std::make_unique<services::Services>(*parts_->store, std::move(auth), std::move(mail),
                                                               config_.frontend_url, config_.index_min_rows,
                                                               services::WebhookConfig{config_.webhooks_allow_private_address,
                                                                                       config_.webhooks_retry_delay_ms});

  api::DispatcherOptions opts;
  opts.cors_origins = config_.cors_origins;
  opts.public_url = config_.public_url;
  while (!opts.public_url.empty() && opts.public_url.back() == '/') opts.public_url.pop_back();
  parts_->dispatcher = std::make_unique<api::Dispatcher>(*parts_->services, std::move(opts));
  api::RegisterAllRoutes(parts_->dispatcher->router());

  events::BusOptions bus_options;
  bus_options.retention = std::chrono::hours(config_.event_retention_hours);
  parts_->bus = std::make_unique<events::EventBus>(*parts_->store, bus_options);
  parts_->realtime = std::make_unique<ws::Hub>(*parts_->services);
  parts_->webhooks = std::make_unique<events::WebhookDispatcher>(*parts_->store, parts_->services->webhooks.config());
  parts_->bus->AddConsumer(parts_->realtime.get());
  parts_->bus->AddConsumer(parts_->webhooks.get());
  auto* bus = parts_->bus.get();
  parts_->store->SetCommitListener([bus] { bus->Notify(); });
}

App::~App() {
  if (parts_ && parts_->bus) parts_->bus->Stop();
  if (parts_ && parts_->webhooks) parts_->webhooks->Stop();
  if (parts_ && parts_->store) parts_->store->Close();
}

services::Services& App::services() { return *parts_->services; }
store::Store& App::store() { return *parts_->store; }

int App::Serve() {
  http::ServerOptions opts;
  opts.host = config_.host;
  opts.port = config_.port;
  opts.threads = ThreadCount(config_);
  opts.body_limit = config_.body_limit_bytes;
  opts.max_connections = config_.max_connections;
  opts.header_timeout = std::chrono::milliseconds(config_.header_timeout_ms);
  opts.body_timeout = std::chrono::milliseconds(config_.body_timeout_ms);
  opts.idle_timeout = std::chrono::milliseconds(config_.idle_timeout_ms);
  opts.access_log = config_.access_log;
  opts.ws = parts_->realtime.get();
  auto* dispatcher = parts_->dispatcher.get();
  http::Server server(opts, [dispatcher](const http::Request& req, http::Response& res) {
    dispatcher->Handle(req, res);
  });
  uint16_t port = 0;
  try {
    port = server.Listen();
  } catch (const std::exception& e) {
    throw ConfigError("cannot listen on " + config_.host + ":" + std::to_string(config_.port) +
                      ": " + e.what());
  }
  spdlog::info("gridbase listening on http://{}:{} ({} threads, data in {})", config_.host, port,
               opts.threads, config_.data_dir);
  parts_->bus->Start();
  parts_->webhooks->Start();
  server.Run(/*handle_signals=*/true);
  parts_->bus->Stop();
  parts_->webhooks->Stop();
  parts_->store->Close();
  spdlog::info("gridbase stopped");
  return 0;
}

int App::MigrateOnly(const Config& config) {
  auto s = OpenStore(config);
  int n = store::Migrate(*s);
  s->Close();
  return n;
}

}  // namespace gridbase::app
