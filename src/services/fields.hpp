#pragma once
// Fields of user tables: create (adding the column and filling existing rows), update
// (rename, properties, type conversion inside the transaction), trash, unique values,
// primary field changes (fields.md §1, §5, §6).
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "services/models.hpp"
#include "store/store.hpp"
#include "types/schema.hpp"

namespace gridbase::services {

/// Baserow's limit on fields per table.
inline constexpr int64_t kMaxFieldsPerTable = 600;

class FieldService {
 public:
  explicit FieldService(store::Store& store) : store_(store) {}

  boost::json::array List(const Actor& actor, int64_t table_id);
  boost::json::object Create(const Actor& actor, int64_t table_id, const boost::json::value& body);
  boost::json::object Get(const Actor& actor, int64_t field_id);
  boost::json::object Update(const Actor& actor, int64_t field_id, const boost::json::value& body);
  boost::json::object Delete(const Actor& actor, int64_t field_id);
  boost::json::object UniqueRowValues(const Actor& actor, int64_t field_id, int64_t limit, bool split);
  boost::json::object ChangePrimary(const Actor& actor, int64_t table_id, const boost::json::value& body);

  /// Inside a write transaction: checks the name rules, persists `spec` (options, column,
  /// values of existing rows, indexes) and appends it to `schema`.
  static types::Field CreateInTx(store::Tx& tx, types::TableSchema& schema, types::Field spec);
  /// Throws the name errors of fields.md §1.2 (excluding `except_field_id`).
  static void CheckName(const types::TableSchema& schema, const std::string& name, int64_t except_field_id);

 private:
  store::Store& store_;
};

}  // namespace gridbase::services
