/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Connecting to an NBD server named by a parsed URI (nbd_uri.h): its
 * socket address, and a handshake bounded in time. Shared by boost-ublk's
 * nbd backend and boostd, which reads and writes an encrypted remote
 * disk's LUKS2 header (docs/storage.md); both connect with what the one
 * URI parser made of the text, with nbd_aio_connect, never a name lookup.
 */
#ifndef BOOST_NBD_CONN_H
#define BOOST_NBD_CONN_H

#include <stddef.h>
#include <sys/socket.h>

#include "nbd_uri.h"

struct nbd_handle;

/* The socket address of @u's server. */
void nbd_conn__sockaddr(const struct nbd_uri *u, struct sockaddr_storage *ret,
			socklen_t *ret_len);

/* A handle for @u's export, not connected yet; NULL when libnbd has no memory. */
struct nbd_handle *nbd_conn__handle(const struct nbd_uri *u);

/* libnbd's last error without the name of the call it came from. */
const char *nbd_conn__reason(void);

/* libnbd's last errno, or @dflt when it has none. */
int nbd_conn__errno_or(int dflt);

/*
 * Connect to @u's server and finish the handshake, in at most
 * @timeout_ms: the handle, or NULL with the reason in @err (cannot
 * connect, refused, closed during the handshake, timed out) and the errno
 * in *@ret_errno. Blocks: a thread that may wait.
 */
struct nbd_handle *nbd_conn__open(const struct nbd_uri *u, unsigned int timeout_ms, char *err,
				  size_t errlen, int *ret_errno);

#endif
