// SHA-256 and SHA-512 through OpenSSL's per-algorithm API: the engine's hot
// path.
#ifndef HASHMESH_SERVICES_ENGINE_SHA2_DIRECT_H_
#define HASHMESH_SERVICES_ENGINE_SHA2_DIRECT_H_

#include <cstddef>

namespace hashmesh::engine {

// One digest of in[0, size) into `out` (32 bytes for SHA-256, 64 for
// SHA-512); `out` may alias `in`. OpenSSL 3 deprecates this API in favour of
// EVP, but for the engine's workload (a payment, then 99 digests of a digest)
// EVP's per-call provider dispatch and context reset cost about 40 % of the
// time, while these call the same SHA-NI/AVX2 block code directly.
void Sha256Direct(const unsigned char* in, size_t size, unsigned char* out);
void Sha512Direct(const unsigned char* in, size_t size, unsigned char* out);

}  // namespace hashmesh::engine

#endif  // HASHMESH_SERVICES_ENGINE_SHA2_DIRECT_H_
