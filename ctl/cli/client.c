// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "cli.h"
#include "client.h"
#include "output.h"
#include "common/proto.h"

static int client_connect(const char *path, int *ret_fd)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int ret = -errno;

		close(fd);
		return ret;
	}
	*ret_fd = fd;
	return 0;
}

int client__call(const char *object, const char *command, json_object *args,
		 json_object **ret_result)
{
	const char *path = proto__socket_path();
	json_object *req, *resp = NULL, *ok, *v;
	int fd = -1, ret;

	req = proto__request(object, command, args);
	ret = client_connect(path, &fd);
	if (ret == -ENOENT || ret == -ECONNREFUSED) {
		ret = cli__fail("boostd is not running (no one listens on %s)", path);
		goto out;
	}
	if (ret) {
		ret = cli__fail("cannot reach boostd at %s: %s", path, strerror(-ret));
		goto out;
	}
	/*
	 * boostd answers a refused peer at once and closes, so a send that
	 * fails may still leave that answer to read.
	 */
	ret = proto__send(fd, req);
	if (!ret || ret == -EPIPE || ret == -ECONNRESET)
		ret = proto__recv(fd, &resp);
	if (ret) {
		ret = cli__fail("boostd at %s: %s", path,
				ret == -ECONNRESET ? "closed the connection" : strerror(-ret));
		goto out;
	}
	if (!json_object_object_get_ex(resp, "ok", &ok) || !json_object_get_boolean(ok)) {
		const char *msg = json_object_object_get_ex(resp, "error", &v)
					  ? json_object_get_string(v)
					  : "malformed response";

		ret = cli__fail("%s", msg);
		goto out;
	}
	if (!json_object_object_get_ex(resp, "result", &v)) {
		ret = cli__fail("boostd: response without a result");
		goto out;
	}
	/* A request that succeeded may still have something to say. */
	if (json_object_object_get_ex(v, "warnings", &ok) &&
	    json_object_is_type(ok, json_type_array))
		for (size_t i = 0; i < json_object_array_length(ok); i++)
			out__warning(json_object_get_string(json_object_array_get_idx(ok, i)));
	*ret_result = json_object_get(v);
	ret = EXIT_OK;
out:
	if (fd >= 0)
		close(fd);
	json_object_put(resp);
	json_object_put(req);
	return ret;
}

const char *client__str(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : NULL;
}

int64_t client__int(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_int64(v) : -1;
}

int client__call_done(const char *object, const char *command, json_object *args,
		      const char *done)
{
	json_object *r;
	int ret = client__call(object, command, args, &r);

	if (ret)
		return ret;
	json_object_put(r);
	out__open_object(NULL);
	out__string("done", "%s\n", done);
	out__close_object();
	return EXIT_OK;
}
