#pragma once
// Applications (only type "database") inside workspaces, and the tables they list.
#include <string>
#include <vector>

#include "services/models.hpp"
#include "store/store.hpp"

namespace gridbase::services {

/// Application types this server knows (Baserow's registry keys).
bool IsKnownApplicationType(std::string_view type);

class ApplicationService {
 public:
  explicit ApplicationService(store::Store& store) : store_(store) {}

  std::vector<Application> ListAll(const Actor& actor);
  std::vector<Application> ListWorkspace(const Actor& actor, int64_t workspace_id);
  /// With `init_with_data`, the database gets one example table named "Table".
  Application Create(const Actor& actor, int64_t workspace_id, const std::string& type,
                     const std::string& name, bool init_with_data);
  Application Get(const Actor& actor, int64_t application_id);
  /// Baserow's order of checks: existence first (`RequireVisible`), then the body, then
  /// membership; the API layer calls RequireVisible before validating.
  Application Update(const Actor& actor, int64_t application_id,
                     const std::optional<std::string>& name);
  void Delete(const Actor& actor, int64_t application_id);
  void Order(const Actor& actor, int64_t workspace_id, const std::vector<int64_t>& ids);
  /// Throws ERROR_APPLICATION_DOES_NOT_EXIST when unknown, trashed or in a trashed workspace.
  void RequireVisible(int64_t application_id);

  static int64_t CreateInTx(store::Tx& tx, int64_t workspace_id, const std::string& type,
                            const std::string& name);

 private:
  store::Store& store_;
};

/// Baserow's partial reorder (applications-tables.md §4): ids not mentioned keep their
/// place, mentioned ids follow the requested sequence.
std::vector<int64_t> PartialReorder(const std::vector<int64_t>& current,
                                    const std::vector<int64_t>& requested);

}  // namespace gridbase::services
