// Reading whole small files (certificates, cgroup and config files).
#ifndef HASHMESH_SERVICES_COMMON_FILES_H_
#define HASHMESH_SERVICES_COMMON_FILES_H_

#include <string>

#include "absl/status/statusor.h"

namespace hashmesh {

// The whole contents of the file at `path`. The error names the path and the
// reason ("cannot read /x: No such file or directory"); its code follows errno
// (e.g. kNotFound, kPermissionDenied).
absl::StatusOr<std::string> ReadFileToString(const std::string& path);

}  // namespace hashmesh

#endif  // HASHMESH_SERVICES_COMMON_FILES_H_
