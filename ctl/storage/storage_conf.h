/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The storage's desired state, one JSON document (policies/storage.json):
 *
 *   {
 *     "devices": [
 *       {"id": 0,                         the ublk id: /dev/ublkb0
 *        "backend": "file:/srv/disk.img", null | mem:SIZE | file:PATH | nbd:URI | rbd:SPEC |
 *                                         cache:LOCAL_FILE[,OPTION]...,REMOTE |
 *                                         crypt:BACKEND
 *        "size": "1G",                    bytes, or BYTES[K|M|G|T]; default the backend's
 *        "queues": 2,                     default: one per CPU
 *        "depth": 128,                    default 128
 *        "block_size": 4096,              512 (default) or 4096
 *        "qos": {"write_iops": 1000,      caps, changeable live; see QOS below
 *                "bps": "50M"},
 *        "reconnect_timeout": 30,         nbd (or a cache before it): seconds of a lost server before
 *                                         IO fails with EIO (1 to 3600, default 30)
 *        "crypt": {"header": "/srv/disk.hdr",  encrypted; see CRYPT below
 *                  "recovery_passphrase_file": "/root/disk.pass"}}
 *     ]
 *   }
 *
 * QOS: an object of caps, each 0 (none, the default) or a rate per second:
 * iops, read_iops, write_iops (whole numbers), bps, read_bps, write_bps
 * (bytes, or BYTES[K|M|G|T]), and the burst above the rate each allows at
 * once, iops_burst (IOs) and bps_burst (bytes); without a burst, 20 ms of
 * the rate (BLK_QOS_DEFAULT_BURST_NS).
 *
 * rbd:POOL/IMAGE[@SNAP],conf=PATH[,keyring=PATH][,id=NAME]: a Ceph RBD image
 * (ublk-target/rbd_spec.h), served by boost-ublk-rbd; the size is the image's.
 * nbd:URI: an NBD server (ublk-target/nbd_uri.h): nbd+unix:///EXPORT?socket=
 * /PATH or nbd://ADDRESS[:PORT]/EXPORT; the size is the server's.
 * cache:LOCAL_FILE[,mode=writethrough|writeback][,line=SIZE][,dirty_max=SIZE],REMOTE:
 * a cache on a local file before a remote backend (ublk-target/cache_spec.h).
 * CRYPT: the device is a LUKS2 volume (aes-xts-plain64, docs/storage.md),
 * also said by a backend "crypt:BACKEND" (mem or file), or "crypt": true.
 * Optional keys: "header", the absolute path of a detached LUKS2 header
 * (default: in the backing file for file, in boostd's state directory
 * for mem); "recovery_passphrase_file", the absolute path of a file whose
 * content (one trailing newline dropped) becomes a second keyslot when
 * boostd formats the volume. An encrypted device's block size defaults
 * to 4096.
 *
 * `boostctl apply` makes the devices match the document; `boostctl storage
 * add` sends one device object (without "id", the kernel picks one). An
 * invalid document is an error naming the field.
 */
#ifndef BOOST_STORAGE_CONF_H
#define BOOST_STORAGE_CONF_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "blk_limits.h"
#include "blk_qos.h"

/* The devices a document may hold, checked before anything is allocated. */
#define STORAGE_MAX_DEVICES 1024

struct storage_conf_dev {
	int id;                     /* -1: the kernel picks */
	char backend[PATH_MAX + 8]; /* as written: "file:/srv/disk.img" */
	unsigned int queues;        /* 0: one per CPU */
	unsigned int depth;         /* 0: the default */
	unsigned int block_size;    /* 0: 512 */
	uint64_t size;              /* 0: the backend's */
	struct blk_qos_limits qos;  /* all 0: no caps */
	unsigned int reconnect_timeout; /* nbd: seconds; 0: the default */
	bool crypt;                 /* a LUKS2 volume; backend is then the inner one */
	char crypt_header[PATH_MAX];   /* a detached header, or "" */
	char crypt_recovery[PATH_MAX]; /* the recovery passphrase's file, or "" */
};

#define STORAGE_DEFAULT_RECONNECT_TIMEOUT 30
#define STORAGE_MAX_RECONNECT_TIMEOUT 3600

struct storage_conf {
	struct storage_conf_dev *devs;
	size_t ndevs;
};

/*
 * One device object; @at names it in errors ("devices[1]"). With
 * @need_id, "id" is required (documents); without, optional (add).
 */
int storage_conf__parse_device(json_object *o, const char *at, bool need_id,
			       struct storage_conf_dev *ret, char *err, size_t errlen);
/* A QOS object (see above); @at names it in errors ("devices[1].qos"). */
int storage_conf__parse_qos(json_object *o, const char *at, struct blk_qos_limits *ret,
			    char *err, size_t errlen);
/* @l as a QOS object, with only the caps that are set. */
json_object *storage_conf__qos_json(const struct blk_qos_limits *l);
/* @c's "crypt" object, or NULL when it is not encrypted. */
json_object *storage_conf__crypt_json(const struct storage_conf_dev *c);
/* A whole document; ids must be given and distinct. */
int storage_conf__parse(json_object *doc, struct storage_conf *ret, char *err, size_t errlen);
void storage_conf__free(struct storage_conf *c);

/* Is @backend served by boost-ublk-rbd (rbd:)? Every other is boost-ublk's. */
bool storage_conf__uses_rbd(const char *backend);

/* Is @doc a storage document (it has "devices"), to route `boostctl apply`? */
bool storage_conf__is_storage_doc(json_object *doc);

#endif
