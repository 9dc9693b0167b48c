#pragma once
#include <boost/json/object.hpp>
#include <string>

#include "services/models.hpp"
#include "store/store.hpp"

namespace gridbase::services {

/// Instance settings (`/api/settings/`), stored as key/value rows so every node of a
/// cluster reads the same values.
class SettingsService {
 public:
  explicit SettingsService(store::Store& store) : store_(store) {}

  InstanceSettings Get();
  static InstanceSettings Load(store::Tx& tx);
  /// Applies a validated partial update; staff only (checked by the caller's route).
  InstanceSettings Update(const Actor& actor, const boost::json::object& patch);
  /// A random instance id, generated once.
  std::string InstanceId();

 private:
  store::Store& store_;
};

}  // namespace gridbase::services
