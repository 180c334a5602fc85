// SPDX-License-Identifier: GPL-2.0-only
/*
 * fake_ublk: a boost-ublk that serves no device, for
 * tests/trust/test_storage_async.sh on a host without ublk. Signed and
 * installed under the name boost-ublk, it answers boostd as the real one
 * does: `add ... [--id N]` and `recover N` print "id N dev /dev/ublkbN" and
 * serve until SIGTERM, then exit 0; `del N` exits 0. With --key-fd FD
 * (an encrypted device) it reads the key message boostd sent and writes it,
 * in hex, to /tmp/boost-fake-ublk-key-ID, for tests/trust/test_storage_crypt.sh
 * to compare with what cryptsetup says of the volume. With --wait-fd FD
 * (an upgrade's recover) it prints "ready" and waits for a byte on FD
 * first, and a build whose bytes end in "fail-after-go" then exits 1, as
 * a new server that dies once it took the device over. A build whose bytes
 * end in "fail-at-start" exits 1 at once, as a server that crashes before
 * it is ready: a test tool, never a server.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

/* Do this program's bytes end in @mark (13 bytes)? */
static int marked(const char *mark)
{
	char tail[13];
	int self = open("/proc/self/exe", O_RDONLY), ok;

	ok = self >= 0 && lseek(self, -13, SEEK_END) >= 0 && read(self, tail, 13) == 13 &&
	     memcmp(tail, mark, 13) == 0;
	if (self >= 0)
		close(self);
	return ok;
}

static void on_term(int sig)
{
	stop = 1;
}

int main(int argc, char **argv)
{
	int id = 0, key_fd = -1, wait_fd = -1;

	if (argc < 2)
		return 2;
	if (marked("fail-at-start"))
		return 1; /* silently, as false(1) */
	if (strcmp(argv[1], "del") == 0)
		return 0;
	if (strcmp(argv[1], "recover") == 0 && argc > 2)
		id = atoi(argv[2]);
	for (int i = 2; i + 1 < argc; i++)
		if (strcmp(argv[i], "--id") == 0)
			id = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--key-fd") == 0)
			key_fd = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--wait-fd") == 0)
			wait_fd = atoi(argv[i + 1]);
	if (key_fd >= 0) {
		unsigned char msg[512];
		char path[64];
		ssize_t n = read(key_fd, msg, sizeof(msg));
		FILE *f;

		snprintf(path, sizeof(path), "/tmp/boost-fake-ublk-key-%d", id);
		f = fopen(path, "w");
		if (!f || n <= 0)
			return 1;
		for (ssize_t i = 0; i < n; i++)
			fprintf(f, "%02x", msg[i]);
		fputc('\n', f);
		fclose(f);
	}
	if (wait_fd >= 0) {
		char go;

		printf("ready\n");
		fflush(stdout);
		if (read(wait_fd, &go, 1) != 1)
			return 1;
		if (marked("fail-after-go")) {
			fprintf(stderr, "fake_ublk: device %d: failing after the takeover\n", id);
			return 1;
		}
	}
	signal(SIGTERM, on_term);
	printf("id %d dev /dev/ublkb%d\n", id, id);
	fflush(stdout);
	while (!stop)
		pause();
	return 0;
}
