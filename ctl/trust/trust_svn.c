// SPDX-License-Identifier: GPL-2.0-only
/* An artifact's security version, from its ELF image (see trust_svn.h). */
#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <string.h>

#include "trust_svn.h"

int trust_svn__read(const uint8_t *data, size_t len, const char *section, uint32_t *ret)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	Elf *elf;
	int err = -ENOENT;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return -EBADMSG;
	/* Read only: libelf does not write an image opened with elf_memory. */
	elf = elf_memory((char *)data, len);
	if (!elf || elf_kind(elf) != ELF_K_ELF || elf_getshdrstrndx(elf, &shstrndx)) {
		err = -EBADMSG;
		goto out;
	}
	while ((scn = elf_nextscn(elf, scn))) {
		const char *name;
		Elf_Data *d;
		GElf_Shdr sh;

		if (!gelf_getshdr(scn, &sh) || !(name = elf_strptr(elf, shstrndx, sh.sh_name)) ||
		    strcmp(name, section))
			continue;
		d = elf_getdata(scn, NULL);
		if (!d || d->d_size != 4 || !d->d_buf) {
			err = -EBADMSG;
			goto out;
		}
		{
			const uint8_t *b = d->d_buf;

			*ret = b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24;
		}
		err = 0;
		break;
	}
out:
	elf_end(elf);
	return err;
}

uint32_t trust_svn__floor(uint64_t bits, enum trust_kind kind)
{
	uint32_t half = kind == TRUST_KIND_EXEC ? bits >> 32 : (uint32_t)bits;

	if (kind != TRUST_KIND_EXEC && kind != TRUST_KIND_BPF)
		return 0; /* a closure has no version: the files it lists are the disk's */

	return half ? 32 - __builtin_clz(half) : 0;
}

int trust_svn__floor_bit(enum trust_kind kind, uint32_t svn, uint64_t *ret_bit)
{
	if (svn == 0 || svn > TRUST_SVN_FLOOR_MAX ||
	    (kind != TRUST_KIND_EXEC && kind != TRUST_KIND_BPF))
		return -ERANGE;
	*ret_bit = 1ull << ((kind == TRUST_KIND_EXEC ? 32 : 0) + svn - 1);
	return 0;
}

int trust_svn__dynamic(const uint8_t *data, size_t len)
{
	size_t n;
	Elf *elf;
	int ret = 0;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return -EBADMSG;
	elf = elf_memory((char *)data, len);
	if (!elf || elf_kind(elf) != ELF_K_ELF || elf_getphdrnum(elf, &n)) {
		ret = -EBADMSG;
		goto out;
	}
	for (size_t i = 0; i < n && !ret; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(elf, (int)i, &ph)) {
			ret = -EBADMSG;
			goto out;
		}
		if (ph.p_type == PT_INTERP)
			ret = 1;
	}
out:
	elf_end(elf);
	return ret;
}
