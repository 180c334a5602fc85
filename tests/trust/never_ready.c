// SPDX-License-Identifier: GPL-2.0-only
/*
 * never_ready: a boost-ublk that never becomes ready, for
 * tests/trust/test_storage_async.sh. Signed and installed under the name
 * boost-ublk, boostd starts it as the server of a device. It ignores its
 * arguments, writes 64 KiB to its standard error (more than boostd keeps
 * of it), never prints its device, and waits until it is killed.
 */
#include <string.h>
#include <unistd.h>

int main(void)
{
	char line[64];

	memset(line, 'x', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\n';
	for (int i = 0; i < 1024; i++)
		if (write(STDERR_FILENO, line, sizeof(line)) < 0)
			break;
	for (;;)
		pause();
}
