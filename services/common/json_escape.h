// Writing JSON strings: the one escaping of the gateway's bodies and the JSON
// log lines of every service.
#ifndef HASHMESH_SERVICES_COMMON_JSON_ESCAPE_H_
#define HASHMESH_SERVICES_COMMON_JSON_ESCAPE_H_

#include <string>

#include "absl/strings/string_view.h"

namespace hashmesh {

// Appends `text` to `*out` as a JSON string, quotes included, with the minimal
// escaping RFC 8259 requires: `"` and `\` backslash-escaped, U+0000-U+001F as
// \b \f \n \r \t or \u00XX; everything else, valid multi-byte UTF-8 included,
// verbatim (so two implementations agree byte for byte). Each byte that does
// not start a valid UTF-8 sequence becomes U+FFFD, so the output is always
// valid UTF-8 JSON. (Boost.JSON's serializer escapes the same way but copies
// invalid bytes through, which makes the document invalid: hence our own.)
void AppendJsonString(absl::string_view text, std::string* out);

}  // namespace hashmesh

#endif  // HASHMESH_SERVICES_COMMON_JSON_ESCAPE_H_
