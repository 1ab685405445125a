// Boost's string_view (Beast's and Boost.JSON's) as Abseil's, which Debian
// builds as its own type rather than std::string_view.
#ifndef HASHMESH_SERVICES_COMMON_BOOST_STRING_VIEW_H_
#define HASHMESH_SERVICES_COMMON_BOOST_STRING_VIEW_H_

// clang-format off
#include <ostream>  // first: Boost 1.81's string_view.hpp uses it unincluded
// clang-format on
#include <boost/core/detail/string_view.hpp>

#include "absl/strings/string_view.h"

namespace hashmesh {

inline absl::string_view ToAbsl(boost::core::string_view text) {
  return {text.data(), text.size()};
}

}  // namespace hashmesh

#endif  // HASHMESH_SERVICES_COMMON_BOOST_STRING_VIEW_H_
