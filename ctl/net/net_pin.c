// SPDX-License-Identifier: GPL-2.0-only
/* Reuse of the network objects' pinned maps (see net_pin.h). */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "net_pin.h"

int net_pin__reuse_devmaps(struct bpf_object *obj, const char *root)
{
	struct bpf_map *map;
	char path[4096];
	int fd, ret;

	bpf_object__for_each_map(map, obj) {
		enum bpf_map_type t = bpf_map__type(map);

		if (t != BPF_MAP_TYPE_DEVMAP && t != BPF_MAP_TYPE_DEVMAP_HASH)
			continue;
		snprintf(path, sizeof(path), "%s/%s", root, bpf_map__name(map));
		fd = bpf_obj_get(path);
		if (fd < 0) {
			if (errno == ENOENT)
				continue; /* the first load creates and pins it */
			return -errno;
		}
		ret = bpf_map__reuse_fd(map, fd);
		close(fd); /* reuse_fd holds its own duplicate */
		if (ret)
			return ret;
		ret = bpf_map__set_pin_path(map, NULL);
		if (ret)
			return ret;
	}
	return 0;
}
