// SPDX-License-Identifier: GPL-2.0-only
/*
 * libnbd without TLS and without libxml2, linked statically into
 * boost-ublk (docs/trust.md, "boost-ublk and libnbd").
 *
 * Debian's libnbd.a is built with GnuTLS (for nbds://) and libxml2 (for
 * nbd_connect_uri's URI parser), and refers to both from objects that
 * boost-ublk needs (the state machine, the API). Their static closure
 * does not link cleanly: GnuTLS needs p11-kit, which Debian ships as a
 * shared library only, and libxml2 pulls in ICU's 30 MB of data; and
 * GnuTLS would read trust stores and dlopen() modules in a confined,
 * measured process. boost-ublk uses neither: it never turns TLS on
 * (nbd_set_tls stays LIBNBD_TLS_DISABLE, the default, and nbd_uri.c
 * refuses nbds URIs) and never calls nbd_connect_uri (it parses the URI
 * itself and calls nbd_aio_connect). These definitions satisfy the
 * linker; each fails as GnuTLS or libxml2 would when a feature is
 * missing, and none is reached. tests/unit/test_ublk_static.sh checks
 * that boost-ublk stays static; the guest tests run it against nbdkit.
 */
#include <stddef.h>

/* GNUTLS_E_UNIMPLEMENTED_FEATURE */
#define NOTLS_ERROR (-1250)

#define NOTLS_INT(name) int name(void); int name(void) { return NOTLS_ERROR; }
#define NOTLS_VOID(name) void name(void); void name(void) { }
#define NOTLS_STR(name) const char *name(void); \
	const char *name(void) { return "TLS is not built into boost-ublk"; }
#define NOTLS_PTR(name) void *name(void); void *name(void) { return NULL; }

NOTLS_INT(gnutls_bye)
NOTLS_INT(gnutls_certificate_allocate_credentials)
NOTLS_VOID(gnutls_certificate_free_credentials)
NOTLS_INT(gnutls_certificate_set_x509_crl_file)
NOTLS_INT(gnutls_certificate_set_x509_key_file)
NOTLS_INT(gnutls_certificate_set_x509_system_trust)
NOTLS_INT(gnutls_certificate_set_x509_trust_file)
NOTLS_INT(gnutls_cipher_get)
NOTLS_INT(gnutls_cipher_get_key_size)
NOTLS_STR(gnutls_cipher_get_name)
NOTLS_INT(gnutls_credentials_set)
NOTLS_VOID(gnutls_deinit)
NOTLS_INT(gnutls_error_is_fatal)
NOTLS_INT(gnutls_handshake)
NOTLS_INT(gnutls_handshake_get_last_in)
NOTLS_INT(gnutls_handshake_get_last_out)
NOTLS_VOID(gnutls_handshake_set_timeout)
NOTLS_INT(gnutls_init)
NOTLS_INT(gnutls_kx_get)
NOTLS_STR(gnutls_kx_get_name)
NOTLS_INT(gnutls_mac_get)
NOTLS_INT(gnutls_mac_get_key_size)
NOTLS_STR(gnutls_mac_get_name)
NOTLS_INT(gnutls_priority_set_direct)
NOTLS_INT(gnutls_psk_allocate_client_credentials)
NOTLS_VOID(gnutls_psk_free_client_credentials)
NOTLS_INT(gnutls_psk_set_client_credentials)
NOTLS_INT(gnutls_record_check_pending)
NOTLS_INT(gnutls_record_get_direction)
NOTLS_INT(gnutls_record_recv)
NOTLS_INT(gnutls_record_send)
NOTLS_INT(gnutls_server_name_set)
NOTLS_VOID(gnutls_session_set_verify_cert)
NOTLS_STR(gnutls_strerror)
NOTLS_INT(gnutls_transport_is_ktls_enabled)
NOTLS_VOID(gnutls_transport_set_int2)

NOTLS_VOID(xmlFreeURI)
NOTLS_PTR(xmlParseURI)
NOTLS_PTR(xmlSaveUri)
NOTLS_PTR(xmlURIUnescapeString)
