// The wire format of SPEC.md's batch messages, for the load tool: a batch
// built from serialized requests, and results read down to id and status.
#ifndef HASHMESH_BENCH_LOADGEN_BATCH_CODEC_H_
#define HASHMESH_BENCH_LOADGEN_BATCH_CODEC_H_

#include <grpcpp/support/byte_buffer.h>

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace hashmesh::loadgen {

// GetAccountBatch and HashBatch share their field numbers (items = 1; item:
// id = 1, request = 2), as do AccountResultBatch and HashResultBatch
// (results = 1; result: id = 1, the answer = 2, error = 3 with code = 1), so
// one codec serves both stream methods without parsing any payload: the
// load tool, like its unary path, spends nothing on what it does not check.

// Appends one item (no traceparent) to a batch message being built.
void AppendItem(uint64_t id, absl::string_view request, std::string* batch);

struct ItemResult {
  uint64_t id = 0;
  int code = 0;  // a gRPC status code number; 0 when the item succeeded
};

// Reads the results of a result batch into `results` (cleared first);
// INVALID_ARGUMENT for a malformed message.
absl::Status ReadResults(grpc::ByteBuffer* batch,
                         std::vector<ItemResult>* results);

}  // namespace hashmesh::loadgen

#endif  // HASHMESH_BENCH_LOADGEN_BATCH_CODEC_H_
