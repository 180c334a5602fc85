/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The network objects' pinned maps: both objects pin their maps by name
 * under one root, so they share them and a reload finds them again.
 */
#ifndef BOOST_NET_PIN_H
#define BOOST_NET_PIN_H

#include <stddef.h>

struct bpf_object;

/*
 * Call between bpf_object__open_mem (with .pin_root_path = @root) and
 * bpf_object__load: libbpf 1.1 refuses to reuse a pinned devmap (the kernel
 * adds BPF_F_RDONLY_PROG to its flags, which libbpf then finds different
 * from the object's), so the devmaps already pinned under @root are reused
 * by fd here instead. Returns 0 or -errno.
 */
int net_pin__reuse_devmaps(struct bpf_object *obj, const char *root);

/*
 * Before bpf_object__load: is every map of @obj that is pinned under @root
 * already of the same shape (type, key and value size, entries, flags)?
 * libbpf refuses to reuse one that is not, without saying which; here the
 * reason names the map and the field. A map whose meaning changes between
 * builds must change its name (the old pin is then unpinned at attach).
 * Returns 0, or -EINVAL with the reason in @err.
 */
int net_pin__check(struct bpf_object *obj, const char *root, char *err, size_t errlen);

#endif
