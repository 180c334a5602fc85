/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The storage's desired state, one JSON document (policies/storage.json):
 *
 *   {
 *     "devices": [
 *       {"id": 0,                         the ublk id: /dev/ublkb0
 *        "backend": "file:/srv/disk.img", null | mem:SIZE | file:PATH | nbd:URI
 *        "size": "1G",                    bytes, or BYTES[K|M|G|T]; default the backend's
 *        "queues": 2,                     default: one per CPU
 *        "depth": 128,                    default 128
 *        "block_size": 4096,              512 (default) or 4096
 *        "qos": {"write_iops": 1000,      caps, changeable live; see QOS below
 *                "bps": "50M"},
 *        "reconnect_timeout": 30}         nbd only: seconds of a lost server before
 *                                         IO fails with EIO (1 to 3600, default 30)
 *     ]
 *   }
 *
 * QOS: an object of caps, each 0 (none, the default) or a rate per second:
 * iops, read_iops, write_iops (whole numbers), bps, read_bps, write_bps
 * (bytes, or BYTES[K|M|G|T]), and the burst above the rate each allows at
 * once, iops_burst (IOs) and bps_burst (bytes); without a burst, 20 ms of
 * the rate (BLK_QOS_DEFAULT_BURST_NS).
 *
 * nbd:URI: an NBD server (ublk-target/nbd_uri.h): nbd+unix:///EXPORT?socket=
 * /PATH or nbd://ADDRESS[:PORT]/EXPORT; the size is the server's.
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
/* A whole document; ids must be given and distinct. */
int storage_conf__parse(json_object *doc, struct storage_conf *ret, char *err, size_t errlen);
void storage_conf__free(struct storage_conf *c);

/* Is @doc a storage document (it has "devices"), to route `boostctl apply`? */
bool storage_conf__is_storage_doc(json_object *doc);

#endif
