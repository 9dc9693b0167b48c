#include "types/prop_helpers.hpp"

namespace gridbase::types::props {

namespace json = boost::json;

void Keep(std::string_view key, const Field* cur, Field& target, json::value fallback) {
  if (cur) {
    if (const auto* v = cur->props.if_contains(key)) {
      target.props[key] = *v;
      return;
    }
  }
  target.props[key] = std::move(fallback);
}

void String(util::Validator& v, std::string_view key, const Field* cur, Field& target,
            std::string_view fallback, util::StringRule rule) {
  rule.required = false;
  if (!v.Has(key)) return Keep(key, cur, target, json::string(fallback));
  if (const auto* raw = v.Raw(key); raw && raw->is_null() && rule.allow_null) {
    target.props[key] = nullptr;
    return;
  }
  if (auto s = v.String(key, rule)) target.props[key] = *s;
}

void Bool(util::Validator& v, std::string_view key, const Field* cur, Field& target, bool fallback) {
  if (!v.Has(key)) return Keep(key, cur, target, fallback);
  if (auto b = v.Bool(key, false)) target.props[key] = *b;
}

void Int(util::Validator& v, std::string_view key, const Field* cur, Field& target, int64_t fallback,
         int64_t min, int64_t max) {
  if (!v.Has(key)) return Keep(key, cur, target, fallback);
  if (auto i = v.Int(key, false, min, max)) target.props[key] = *i;
}

void Choice(util::Validator& v, std::string_view key, const Field* cur, Field& target,
            std::string_view fallback, const std::vector<std::string>& choices) {
  if (!v.Has(key)) return Keep(key, cur, target, json::string(fallback));
  if (auto c = v.Choice(key, choices, false)) target.props[key] = *c;
}

}  // namespace gridbase::types::props
