#pragma once
// App owns everything: config, store, services, the API dispatcher and the HTTP server.
// All wiring happens here, in one place.
#include <memory>

#include "app/config.hpp"

namespace gridbase::services {
struct Services;
}
namespace gridbase::store {
class Store;
}

namespace gridbase::app {

class App {
 public:
  /// Opens the store (creating the data dir), applies migrations and loads or creates the
  /// secret key. Throws ConfigError when the data dir or database URL is unusable.
  explicit App(Config config);
  ~App();

  /// Serves HTTP until SIGINT/SIGTERM, then drains and closes the store. Returns 0.
  int Serve();

  services::Services& services();
  store::Store& store();
  const Config& config() const { return config_; }

  /// Applies pending migrations; returns how many ran.
  static int MigrateOnly(const Config& config);

 private:
  Config config_;
  struct Parts;
  std::unique_ptr<Parts> parts_;
};

}  // namespace gridbase::app
