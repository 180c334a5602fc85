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

/*
 * The number in section @section of the ELF image @data (@len bytes).
 * 0 with *ret; -ENOENT if it has no such section (a build from before
 * versions: callers take it as 0); -EBADMSG if the image is no ELF or the
 * section is not 4 bytes.
 */
int trust_svn__read(const uint8_t *data, size_t len, const char *section, uint32_t *ret);

#endif
