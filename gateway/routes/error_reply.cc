#include "gateway/routes/error_reply.h"

#include <utility>

#include "gateway/payment/api_error.h"

namespace hashmesh::gateway {

Reply ErrorReply(const absl::Status& status) {
  const HttpError error = ToHttpError(status);
  return JsonReply(error.status, ErrorBody(error));
}

Reply JsonReply(int status, std::string body) {
  Reply reply;
  reply.status = status;
  reply.body = std::move(body);
  return reply;
}

}  // namespace hashmesh::gateway
