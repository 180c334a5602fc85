// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer: boostd's requests, from the wire to the handlers: each part of
 * an input (parts cut at @@boost@@) is one SOCK_SEQPACKET message, read by
 * proto__recv and routed by boostd__dispatch; the response goes back
 * through proto__send. The parts of one input are one client's session,
 * so a request can see what an earlier one changed.
 *
 * boostd runs with the trust chain down (its trust policy does not exist)
 * and its state directory in the harness's temporary directory, so that no
 * request can reach the host: attach and storage add are refused by the
 * loader before anything is loaded or started (checked at start), ports
 * are only looked up by name. Each input starts the objects afresh on an
 * empty state directory and stops them after, so an input replays alone.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/proto.h"
#include "daemon/boostd.h"
#include "daemon/loop.h"
#include "input.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_REQUESTS 8

static struct boostd d = {
	.listen_fd = -1,
	.signal_fd = -1,
	.objects = { &trust_object, &net_object, &storage_object },
};
static int sv[2]; /* sv[0] the client's end, sv[1] boostd's */
static char state_dir[PATH_MAX];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *tmp = fuzz_tmpdir();

	/* Nothing from the environment may point boostd at the host's things. */
	unsetenv("BOOST_KERNEL_IMA_DIR");
	unsetenv("BOOST_TCTI");
	config__defaults(&d.cfg);
	snprintf(d.cfg.socket, sizeof(d.cfg.socket), "%s/boostd.sock", tmp);
	snprintf(d.cfg.state_dir, sizeof(d.cfg.state_dir), "%s/state", tmp);
	snprintf(d.cfg.trust_policy, sizeof(d.cfg.trust_policy), "%s/no-such-trust.json", tmp);
	snprintf(state_dir, sizeof(state_dir), "%s", d.cfg.state_dir);
	d.loop = boostd_loop__new();
	if (!d.loop ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) < 0) {
		perror("fuzz_dispatch");
		abort();
	}
	return 0;
}

/* boostd's objects, started as boostd starts them, with the trust chain down. */
static void objects_start(void)
{
	char why[256];

	boostd__objects_start(&d);
	/* The harness's one promise: no data path, no boost-ublk, ever. */
	if (!d.env.loader || boostd_loader__may_attach(d.env.loader, why, sizeof(why))) {
		fprintf(stderr, "fuzz_dispatch: the trust chain is up: refusing to run\n");
		abort();
	}
}

/* One message in, as a client sends it; one response out, as boostd answers. */
static void request(const uint8_t *msg, size_t len)
{
	json_object *req = NULL, *resp;
	int ret;

	if (send(sv[0], msg, len, MSG_NOSIGNAL) < 0)
		return; /* larger than the socket takes: no client can send it either */
	ret = proto__recv(sv[1], &req);
	if (ret == -EAGAIN || ret == -ECONNRESET)
		return;
	if (ret == -EMSGSIZE)
		resp = proto__error("request: larger than %d bytes", PROTO_MAX_MSG);
	else if (ret < 0)
		resp = proto__error("request: not a JSON object");
	else
		resp = boostd__dispatch(&d, req);
	if (!resp)
		abort(); /* boostd__dispatch always answers */
	proto__send(sv[1], resp);
	json_object_put(resp);
	json_object_put(req);
	/* The client reads the answer; a truncating read of nothing drops it. */
	recv(sv[0], NULL, 0, MSG_TRUNC);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_part parts[MAX_REQUESTS];
	size_t n = fuzz_split(data, size, parts, MAX_REQUESTS);

	objects_start();
	for (size_t i = 0; i < n; i++)
		request(parts[i].data, parts[i].len);
	boostd__objects_stop(&d);
	fuzz_empty_dir(state_dir);
	return 0;
}
