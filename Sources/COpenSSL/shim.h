#ifndef COPENSSL_SHIM_H
#define COPENSSL_SHIM_H

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
/* Encrypted PKCS #8 examiner keys (PBES2): PEM, BIO, PKCS5_pbe2_set_iv, PKCS8_set0_pbe. */
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>

/* OPENSSL_free is a function-like macro; Swift cannot import it. */
static inline void COpenSSL_free(void *ptr) { OPENSSL_free(ptr); }

#endif
