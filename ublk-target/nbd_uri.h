/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * NBD URIs, as boost-ublk's nbd backend and boostd's storage document take
 * them: a strict subset of the NBD URI standard
 * (https://github.com/NetworkBlockDevice/nbd/blob/master/doc/uri.md):
 *
 *   nbd+unix:///EXPORT?socket=/ABSOLUTE/PATH
 *   nbd://ADDRESS[:PORT][/EXPORT]      ADDRESS: IPv4, or IPv6 in [brackets]
 *
 * EXPORT may be empty (the server's default export) and may use %XX
 * escapes, as may the socket's path. No TLS (nbds, nbds+unix): boost-ublk
 * links no TLS library (docs/trust.md). No host names: boost-ublk, static
 * and confined, resolves none (resolve the name and write the address).
 * No other query key. Pure: no socket, no allocation, so that boostd
 * validates a document with the very parser boost-ublk connects with.
 */
#ifndef BOOST_NBD_URI_H
#define BOOST_NBD_URI_H

#include <stdint.h>

#define NBD_URI_DEFAULT_PORT 10809
/* The NBD protocol's limit on an export's name. */
#define NBD_URI_MAX_EXPORT 4096
/* sun_path's size, its terminating NUL included. */
#define NBD_URI_MAX_PATH 108

enum nbd_uri_transport {
	NBD_URI_UNIX = 1,
	NBD_URI_TCP4,
	NBD_URI_TCP6,
};

struct nbd_uri {
	enum nbd_uri_transport transport;
	char export_name[NBD_URI_MAX_EXPORT + 1];
	char path[NBD_URI_MAX_PATH];	/* NBD_URI_UNIX */
	uint8_t addr[16];		/* NBD_URI_TCP4 (4 bytes) or _TCP6, network order */
	uint16_t port;			/* host order */
};

/*
 * Parse @s into @ret. Returns 0, or -EINVAL with a message (what is wrong,
 * and where) in @err.
 */
int nbd_uri__parse(const char *s, struct nbd_uri *ret, char *err, unsigned int errlen);

#endif
