#include "gateway/http/reply.h"

#include "gateway/payment/api_error.h"

namespace hashmesh::gateway {

Reply ErrorReply(const absl::Status& status) {
  const HttpError error = ToHttpError(status);
  Reply reply;
  reply.status = error.status;
  reply.body = ErrorBody(error);
  return reply;
}

}  // namespace hashmesh::gateway
