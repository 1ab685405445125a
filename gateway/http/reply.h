// What a handler answers, before the HTTP layer frames it.
#ifndef HASHMESH_GATEWAY_HTTP_REPLY_H_
#define HASHMESH_GATEWAY_HTTP_REPLY_H_

#include <string>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"

namespace hashmesh::gateway {

struct Reply {
  int status = 200;
  std::string body;  // JSON unless content_type says otherwise
  const char* content_type = "application/json";
  const char* allow = nullptr;  // the Allow header of a 405
  bool close = false;           // close the connection after this reply
};

// May be called on any thread: the HTTP session moves the reply to its
// connection's executor.
using ReplyCallback = absl::AnyInvocable<void(Reply) &&>;

// The JSON error reply for `status`, via the one HTTP mapping (ToHttpError).
Reply ErrorReply(const absl::Status& status);

}  // namespace hashmesh::gateway

#endif  // HASHMESH_GATEWAY_HTTP_REPLY_H_
