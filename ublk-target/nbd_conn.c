// SPDX-License-Identifier: GPL-2.0-only
/* Connecting to an NBD server named by a parsed URI (nbd_conn.h). */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/un.h>
#include <time.h>
#include <arpa/inet.h>
#include <libnbd.h>

#include "nbd_conn.h"

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void nbd_conn__sockaddr(const struct nbd_uri *u, struct sockaddr_storage *ret,
			socklen_t *ret_len)
{
	memset(ret, 0, sizeof(*ret));
	if (u->transport == NBD_URI_UNIX) {
		struct sockaddr_un *sun = (struct sockaddr_un *)ret;

		sun->sun_family = AF_UNIX;
		memcpy(sun->sun_path, u->path, sizeof(u->path));
		*ret_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
				       strlen(u->path) + 1);
	} else if (u->transport == NBD_URI_TCP4) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ret;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(u->port);
		memcpy(&sin->sin_addr, u->addr, 4);
		*ret_len = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ret;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(u->port);
		memcpy(&sin6->sin6_addr, u->addr, 16);
		*ret_len = sizeof(*sin6);
	}
}

struct nbd_handle *nbd_conn__handle(const struct nbd_uri *u)
{
	struct nbd_handle *h = nbd_create();

	if (!h)
		return NULL;
	/*
	 * Simple replies: a read's reply is a 16-byte header and the data
	 * (two reads of the socket), where a structured one adds a chunk
	 * header and its offset (four, measured with strace in the guest).
	 * Nothing here asks for what only structured replies carry (holes,
	 * block status, DF).
	 */
	if (nbd_set_export_name(h, u->export_name) == -1 ||
	    nbd_set_request_structured_replies(h, false) == -1) {
		nbd_close(h);
		return NULL;
	}
	return h;
}

int nbd_conn__errno_or(int dflt)
{
	int e = nbd_get_errno();

	return e > 0 ? e : dflt;
}

const char *nbd_conn__reason(void)
{
	const char *e = nbd_get_error(), *c;

	if (!e)
		return "unknown error";
	c = strstr(e, ": ");
	return strncmp(e, "nbd_", 4) == 0 && c ? c + 2 : e;
}

struct nbd_handle *nbd_conn__open(const struct nbd_uri *u, unsigned int timeout_ms, char *err,
				  size_t errlen, int *ret_errno)
{
	struct nbd_handle *h = nbd_conn__handle(u);
	uint64_t deadline = now_ms() + timeout_ms;
	struct sockaddr_storage sa;
	socklen_t salen;

	if (!h) {
		snprintf(err, errlen, "%s", nbd_conn__reason());
		*ret_errno = nbd_conn__errno_or(ENOMEM);
		return NULL;
	}
	nbd_conn__sockaddr(u, &sa, &salen);
	if (nbd_aio_connect(h, (const struct sockaddr *)&sa, salen) == -1) {
		snprintf(err, errlen, "cannot connect: %s", nbd_conn__reason());
		*ret_errno = nbd_conn__errno_or(ECONNREFUSED);
		goto fail;
	}
	while (nbd_aio_is_connecting(h)) {
		unsigned int dir = nbd_aio_get_direction(h);
		struct pollfd p = {
			.fd = nbd_aio_get_fd(h),
			.events = (short)((dir & LIBNBD_AIO_DIRECTION_READ ? POLLIN : 0) |
					  (dir & LIBNBD_AIO_DIRECTION_WRITE ? POLLOUT : 0)),
		};
		int r;

		if (now_ms() > deadline) {
			snprintf(err, errlen, "the server did not finish the handshake in %u s",
				 timeout_ms / 1000);
			*ret_errno = ETIMEDOUT;
			goto fail;
		}
		if (poll(&p, 1, 100) < 0 && errno != EINTR) {
			snprintf(err, errlen, "poll: %s", strerror(errno));
			*ret_errno = errno;
			goto fail;
		}
		/* A hang-up or an error: whichever side libnbd waits on sees it. */
		if ((p.revents & (POLLIN | POLLHUP | POLLERR)) && (dir & LIBNBD_AIO_DIRECTION_READ))
			r = nbd_aio_notify_read(h);
		else if ((p.revents & (POLLOUT | POLLHUP | POLLERR)) &&
			 (dir & LIBNBD_AIO_DIRECTION_WRITE))
			r = nbd_aio_notify_write(h);
		else
			continue;
		if (r == -1 && nbd_aio_is_connecting(h))
			break;
	}
	if (nbd_aio_is_ready(h))
		return h;
	*ret_errno = nbd_conn__errno_or(ECONNRESET);
	if (strncmp(nbd_conn__reason(), "connect: ", 9) == 0)
		snprintf(err, errlen, "cannot connect: %s", nbd_conn__reason());
	else if (strstr(nbd_conn__reason(), "disconnected") ||
		 strstr(nbd_conn__reason(), "closed") || *ret_errno == ECONNRESET ||
		 *ret_errno == EPIPE)
		snprintf(err, errlen, "the server closed the connection during the handshake (%s)",
			 nbd_conn__reason());
	else
		snprintf(err, errlen, "the server refused: %s", nbd_conn__reason());
fail:
	nbd_close(h);
	return NULL;
}
