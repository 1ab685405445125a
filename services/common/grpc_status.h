// The one mapping between absl::Status (used inside hashmesh) and grpc::Status.
#ifndef HASHMESH_SERVICES_COMMON_GRPC_STATUS_H_
#define HASHMESH_SERVICES_COMMON_GRPC_STATUS_H_

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace hashmesh {

// Both follow google.rpc.Code, so the codes carry over one to one.
grpc::Status ToGrpcStatus(const absl::Status& status);
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace hashmesh

#endif  // HASHMESH_SERVICES_COMMON_GRPC_STATUS_H_
