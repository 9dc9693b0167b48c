#pragma once
// Baserow's duration formats: parsing user input and formatting seconds.
#include <optional>
#include <string>
#include <string_view>

namespace gridbase::types {

bool IsDurationFormat(std::string_view format);
/// Parses a duration string (or plain seconds) for a field with `format`, rounded to the
/// format's precision. nullopt when the text is not a duration.
std::optional<double> ParseDuration(std::string_view text, std::string_view format);
/// Rounds seconds to the precision of `format` (0.5 rounds up).
double RoundDuration(double seconds, std::string_view format);
/// Seconds formatted per `format`, e.g. "1:01" for h:mm.
std::string FormatDuration(double seconds, std::string_view format);

}  // namespace gridbase::types
