// SPDX-License-Identifier: GPL-2.0-only
/*
 * gate_exec POLICY STATE_DIR FILE [ARG...]: a driver of the trust gate for
 * tests/trust/test_gate_exec.sh. Verifies and measures FILE as an
 * executable, then runs the verified bytes (fexecve of the sealed memfd)
 * with ARGs, after the optional hook $GATE_EXEC_BEFORE (a shell command run
 * between verification and exec, to change FILE behind the gate's back).
 * Exits with the program's status, or 125 when the gate refuses.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "common/log.h"
#include "trust/trust_gate.h"
#include "trust/trust_policy.h"

extern char **environ;

int main(int argc, char **argv)
{
	struct trust_policy *pol = NULL;
	struct trust_gate *gate = NULL;
	struct trust_artifact *art = NULL;
	const char *hook = getenv("GATE_EXEC_BEFORE");
	char err[1024];
	int status, ret = 125;
	pid_t pid;

	if (argc < 4) {
		fprintf(stderr, "usage: gate_exec POLICY STATE_DIR FILE [ARG...]\n");
		return 2;
	}
	log__init("gate_exec", false);
	if (trust_policy__load(argv[1], &pol, err, sizeof(err)) ||
	    trust_gate__open(pol, argv[2], &gate, err, sizeof(err)) ||
	    trust_gate__verify(gate, argv[3], TRUST_KIND_EXEC, &art, err, sizeof(err))) {
		fprintf(stderr, "gate_exec: %s\n", err);
		goto out;
	}
	if (hook && system(hook) != 0) {
		fprintf(stderr, "gate_exec: hook failed\n");
		goto out;
	}
	argv[3] = (char *)"verified";
	status = trust_artifact__spawn(art, argv + 3, environ, &pid);
	if (status) {
		fprintf(stderr, "gate_exec: exec of %s: %s\n", art->path, strerror(-status));
		goto out;
	}
	if (waitpid(pid, &status, 0) < 0)
		goto out;
	ret = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
out:
	trust_artifact__free(art);
	trust_gate__close(gate);
	trust_policy__free(pol);
	return ret;
}
