#pragma once
// PostgreSQL versions of the SQL functions the SQLite backend registers in C++
// (gb_local_datetime, gb_format_date, gb_contains_word) plus gb_json_each, SQLite's json_each
// over a multiple-select cell (a JSON array of option ids).
#include <string>
#include <vector>

namespace gridbase::store {

/// CREATE OR REPLACE FUNCTION statements, one per element, run in order by the PostgreSQL migration.
/// Each element is one statement (bodies are dollar-quoted). The list of time zones the date
/// functions accept is the tz database this process sees (util::IsKnownTimeZone's list), so
/// running the statements again after a tzdata update refreshes it.
const std::vector<std::string>& PostgresFunctionStatements();

}  // namespace gridbase::store
