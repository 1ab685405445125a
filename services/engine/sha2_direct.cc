// The only file that opts into OpenSSL 3's deprecated SHA-2 functions; the
// macro must precede every OpenSSL header it pulls in.
#define OPENSSL_SUPPRESS_DEPRECATED
#include "services/engine/sha2_direct.h"

#include <openssl/sha.h>

namespace hashmesh::engine {

// The *_Init/Update/Final functions only fail for a null context, so their
// results carry no information here.
void Sha256Direct(const unsigned char* in, size_t size, unsigned char* out) {
  SHA256_CTX ctx;
  SHA256_Init(&ctx);
  SHA256_Update(&ctx, in, size);
  SHA256_Final(out, &ctx);
}

void Sha512Direct(const unsigned char* in, size_t size, unsigned char* out) {
  SHA512_CTX ctx;
  SHA512_Init(&ctx);
  SHA512_Update(&ctx, in, size);
  SHA512_Final(out, &ctx);
}

}  // namespace hashmesh::engine
