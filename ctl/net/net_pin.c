// SPDX-License-Identifier: GPL-2.0-only
/* Reuse of the network objects' pinned maps (see net_pin.h). */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "net_pin.h"

int net_pin__check(struct bpf_object *obj, const char *root, char *err, size_t errlen)
{
	struct bpf_map *map;
	char path[4096];

	bpf_object__for_each_map(map, obj) {
		struct bpf_map_info info = { 0 };
		__u32 len = sizeof(info), flags = bpf_map__map_flags(map);
		enum bpf_map_type t = bpf_map__type(map);
		const char *what = NULL;
		__u32 have = 0, want = 0;
		int fd;

		if (!bpf_map__pin_path(map))
			continue;
		snprintf(path, sizeof(path), "%s/%s", root, bpf_map__name(map));
		fd = bpf_obj_get(path);
		if (fd < 0)
			continue; /* none yet: the load pins it */
		if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
			close(fd);
			continue; /* the load says why */
		}
		close(fd);
		/* The kernel adds BPF_F_RDONLY_PROG to a devmap's flags. */
		if (t == BPF_MAP_TYPE_DEVMAP || t == BPF_MAP_TYPE_DEVMAP_HASH)
			info.map_flags &= ~BPF_F_RDONLY_PROG;
		if (info.type != t)
			what = "type", have = info.type, want = t;
		else if (info.key_size != bpf_map__key_size(map))
			what = "key size", have = info.key_size, want = bpf_map__key_size(map);
		else if (info.value_size != bpf_map__value_size(map))
			what = "value size", have = info.value_size, want = bpf_map__value_size(map);
		else if (info.max_entries != bpf_map__max_entries(map))
			what = "entries", have = info.max_entries, want = bpf_map__max_entries(map);
		else if (info.map_flags != flags)
			what = "flags", have = info.map_flags, want = flags;
		if (what) {
			snprintf(err, errlen, "map %s: the one pinned at %s has %s %u, this build's "
				 "%u: its layout changed, and boost does not migrate it (net "
				 "detach, remove the pin, net attach)", bpf_map__name(map), path,
				 what, have, want);
			return -EINVAL;
		}
	}
	return 0;
}

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
