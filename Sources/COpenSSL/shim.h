#ifndef COPENSSL_SHIM_H
#define COPENSSL_SHIM_H

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

/* OPENSSL_free is a function-like macro; Swift cannot import it. */
static inline void COpenSSL_free(void *ptr) { OPENSSL_free(ptr); }

#endif
