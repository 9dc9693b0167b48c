#pragma once
// Tables of a database: list, create (empty example layout, or fields and rows from a 2-D
// array), get, rename, trash, reorder (applications-tables.md §3), and the example
// database of a new account.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <optional>

#include "services/models.hpp"
#include "services/schema.hpp"
#include "store/store.hpp"

namespace gridbase::services {

/// Baserow's BASEROW_INITIAL_CREATE_SYNC_TABLE_DATA_LIMIT.
inline constexpr size_t kInitialSyncTableDataLimit = 5000;

class TableService {
 public:
  explicit TableService(store::Store& store) : store_(store) {}

  boost::json::array List(const Actor& actor, int64_t database_id);
  boost::json::object Create(const Actor& actor, int64_t database_id, const std::string& name,
                             const std::optional<boost::json::array>& data, bool first_row_header);
  boost::json::object Get(const Actor& actor, int64_t table_id);
  boost::json::object Update(const Actor& actor, int64_t table_id, const std::string& name);
  void Delete(const Actor& actor, int64_t table_id);
  void Order(const Actor& actor, int64_t database_id, const std::vector<int64_t>& table_ids);

  /// Inside a write transaction: a table with the example layout (no data) or the data's
  /// text fields and rows. Returns the new table's id.
  static int64_t CreateInTx(store::Tx& tx, int64_t database_id, const std::string& name,
                            const std::optional<boost::json::array>& data, bool first_row_header);
  /// The "<name>'s company" content of Baserow's initial workspace: Customers and Projects.
  static void FillExampleDatabase(store::Tx& tx, int64_t database_id);

 private:
  store::Store& store_;
};

}  // namespace gridbase::services
