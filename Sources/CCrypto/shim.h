// OpenSSL's libcrypto (Debian: libssl-dev), for SHA-256 only: the digest that names
// vocabularies, FID weights and cached statistics.
#include <openssl/evp.h>
