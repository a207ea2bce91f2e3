#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <openssl/ssl.h>

#include <stdint.h>

/*
 * Helpers for the Crypto target. They exist because an OSSL_PARAM array stores
 * pointers to its parameter names and values, so it must be built where those
 * pointers outlive the call; Swift cannot keep a C string for a macro name alive
 * past one call. Each returns 1 on success and 0 on failure, leaving the reason on
 * OpenSSL's error queue. A length of zero may come with a NULL pointer.
 */

/* A non-NULL address for empty inputs: some providers treat NULL as "not set". */
static const unsigned char storefleet_empty_bytes[1] = { 0 };

/* HMAC over one message with a fetched "HMAC" EVP_MAC (EVP_MAC-HMAC(7)). */
static inline int storefleet_hmac(EVP_MAC *mac, const char *digest_name,
                                  const unsigned char *key, size_t key_length,
                                  const unsigned char *message, size_t message_length,
                                  unsigned char *out, size_t out_capacity, size_t *out_length)
{
    EVP_MAC_CTX *context = EVP_MAC_CTX_new(mac);
    if (context == NULL) {
        return 0;
    }
    OSSL_PARAM params[2];
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)digest_name, 0);
    params[1] = OSSL_PARAM_construct_end();

    int ok = EVP_MAC_init(context, key_length == 0 ? storefleet_empty_bytes : key, key_length, params)
        && EVP_MAC_update(context, message_length == 0 ? storefleet_empty_bytes : message, message_length)
        && EVP_MAC_final(context, out, out_length, out_capacity);
    EVP_MAC_CTX_free(context);
    return ok;
}

/*
 * scrypt through EVP_KDF "SCRYPT" (EVP_KDF-SCRYPT(7), RFC 7914). n, r and p have
 * the C types the provider expects: uint64_t for n and maxmem_bytes, uint32_t for
 * r and p.
 */
static inline int storefleet_scrypt(const unsigned char *password, size_t password_length,
                                    const unsigned char *salt, size_t salt_length,
                                    uint64_t n, uint32_t r, uint32_t p, uint64_t max_memory_bytes,
                                    unsigned char *out, size_t out_length)
{
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, OSSL_KDF_NAME_SCRYPT, NULL);
    if (kdf == NULL) {
        return 0;
    }
    EVP_KDF_CTX *context = EVP_KDF_CTX_new(kdf);
    EVP_KDF_free(kdf);
    if (context == NULL) {
        return 0;
    }
    OSSL_PARAM params[7];
    params[0] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD,
        (void *)(password_length == 0 ? storefleet_empty_bytes : password), password_length);
    params[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT,
        (void *)(salt_length == 0 ? storefleet_empty_bytes : salt), salt_length);
    params[2] = OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &n);
    params[3] = OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &r);
    params[4] = OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &p);
    params[5] = OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_MAXMEM, &max_memory_bytes);
    params[6] = OSSL_PARAM_construct_end();

    int ok = EVP_KDF_derive(context, out, out_length, params);
    EVP_KDF_CTX_free(context);
    return ok;
}

/*
 * PBKDF2 through EVP_KDF "PBKDF2" (EVP_KDF-PBKDF2(7), RFC 8018 section 5.2).
 * pkcs5 = 1 turns off the provider's SP 800-132 minimums (salt of 16 bytes, 1,000
 * iterations) so published vectors with short salts can run; callers enforce their
 * own minimums.
 */
static inline int storefleet_pbkdf2(const unsigned char *password, size_t password_length,
                                    const unsigned char *salt, size_t salt_length,
                                    unsigned int iterations, const char *digest_name,
                                    unsigned char *out, size_t out_length)
{
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, OSSL_KDF_NAME_PBKDF2, NULL);
    if (kdf == NULL) {
        return 0;
    }
    EVP_KDF_CTX *context = EVP_KDF_CTX_new(kdf);
    EVP_KDF_free(kdf);
    if (context == NULL) {
        return 0;
    }
    int pkcs5_checks_off = 1;
    OSSL_PARAM params[6];
    params[0] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD,
        (void *)(password_length == 0 ? storefleet_empty_bytes : password), password_length);
    params[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT,
        (void *)(salt_length == 0 ? storefleet_empty_bytes : salt), salt_length);
    params[2] = OSSL_PARAM_construct_uint(OSSL_KDF_PARAM_ITER, &iterations);
    params[3] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)digest_name, 0);
    params[4] = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_PKCS5, &pkcs5_checks_off);
    params[5] = OSSL_PARAM_construct_end();

    int ok = EVP_KDF_derive(context, out, out_length, params);
    EVP_KDF_CTX_free(context);
    return ok;
}

/* X509_CHECK_FLAG_* for the Mail target's certificate hostname check. */
#include <openssl/x509v3.h>
