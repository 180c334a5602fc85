/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What boost-ublk-rbd's rbd backend is given (docs/storage.md, "rbd"):
 *
 *   POOL/IMAGE[@SNAP],conf=/ABSOLUTE/PATH[,keyring=/ABSOLUTE/PATH][,id=NAME]
 *
 * POOL, IMAGE and SNAP are names of 1 to RBD_SPEC_MAX_NAME bytes (IMAGE:
 * fewer than librbd's RBD_MAX_IMAGE_NAME_SIZE) of letters, digits, '.',
 * '_' and '-', not starting with '.'; a snapshot makes the device
 * read-only. conf is the cluster's ceph.conf (its monitors), keyring the
 * client's key (else the one the conf names), id the client's name
 * without "client." (default admin). Each option at most once, no other.
 * Pure: no file is opened, so that boostd validates a document with the
 * very parser the backend uses.
 */
#ifndef BOOST_RBD_SPEC_H
#define BOOST_RBD_SPEC_H

#define RBD_SPEC_MAX_NAME 255
/* librbd's RBD_MAX_IMAGE_NAME_SIZE, its NUL included. */
#define RBD_SPEC_MAX_IMAGE 95
#define RBD_SPEC_MAX_ID 64
#define RBD_SPEC_MAX_PATH 4095
#define RBD_SPEC_DEFAULT_ID "admin"

struct rbd_spec {
	char pool[RBD_SPEC_MAX_NAME + 1];
	char image[RBD_SPEC_MAX_IMAGE + 1];
	char snap[RBD_SPEC_MAX_NAME + 1];	/* "": the image itself */
	char conf[RBD_SPEC_MAX_PATH + 1];
	char keyring[RBD_SPEC_MAX_PATH + 1];	/* "": the conf's */
	char id[RBD_SPEC_MAX_ID + 1];
};

/*
 * Parse @s into @ret. Returns 0, or -EINVAL with a message (what is wrong,
 * and where) in @err.
 */
int rbd_spec__parse(const char *s, struct rbd_spec *ret, char *err, unsigned int errlen);

#endif
