/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * An artifact's security version: a 32-bit little-endian number in an ELF
 * section of the artifact's own bytes, so the signature covers it (the
 * network objects carry theirs in ".boost.svn", bpf/boost_shared.h). Read
 * with libelf from the verified bytes.
 */
#ifndef BOOST_TRUST_SVN_H
#define BOOST_TRUST_SVN_H

#include <stddef.h>
#include <stdint.h>

#include "trust_policy.h"

/* Where every boost artifact, BPF object or executable, carries its version. */
#define TRUST_SVN_SECTION ".boost.svn"

/*
 * The number in section @section of the ELF image @data (@len bytes).
 * 0 with *ret; -ENOENT if it has no such section (a build from before
 * versions: callers take it as 0); -EBADMSG if the image is no ELF or the
 * section is not 4 bytes.
 */
int trust_svn__read(const uint8_t *data, size_t len, const char *section, uint32_t *ret);

/*
 * Does the ELF image @data name a program interpreter (PT_INTERP: ld.so
 * maps shared libraries from disk before it runs)? 1 if so, 0 if it is
 * static, -EBADMSG if it is no ELF image.
 */
int trust_svn__dynamic(const uint8_t *data, size_t len);

/*
 * The rollback floor (trust_tpm.h: 64 bits that can only be set): bits
 * 0-31 are the BPF objects' floor, bits 32-63 the executables'. Version N
 * of a kind is bit N-1 of its half, and the floor is the highest bit set,
 * so that setting a bit can only raise it; versions 1 to
 * TRUST_SVN_FLOOR_MAX fit.
 */
#define TRUST_SVN_FLOOR_MAX 32

/* The floor of @kind in the index's @bits: 0 if none of its bits is set. */
uint32_t trust_svn__floor(uint64_t bits, enum trust_kind kind);
/* The bit that makes @svn the floor of @kind; -ERANGE if @svn is 0 or too big. */
int trust_svn__floor_bit(enum trust_kind kind, uint32_t svn, uint64_t *ret_bit);

#endif
