#pragma once
// Helpers for reading type properties: each keeps the current value when the key is
// omitted on update, and uses the default on create.
#include <boost/json/value.hpp>

#include "types/schema.hpp"
#include "util/validate.hpp"

namespace gridbase::types::props {

void String(util::Validator& v, std::string_view key, const Field* cur, Field& target,
            std::string_view fallback, util::StringRule rule);
void Bool(util::Validator& v, std::string_view key, const Field* cur, Field& target, bool fallback);
void Int(util::Validator& v, std::string_view key, const Field* cur, Field& target, int64_t fallback,
         int64_t min, int64_t max);
void Choice(util::Validator& v, std::string_view key, const Field* cur, Field& target,
            std::string_view fallback, const std::vector<std::string>& choices);
/// Copies `key` from the current field, or sets `fallback` when there is none.
void Keep(std::string_view key, const Field* cur, Field& target, boost::json::value fallback);

}  // namespace gridbase::types::props
