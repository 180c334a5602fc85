// SPDX-License-Identifier: GPL-2.0-only
/*
 * boost_xdp changes no packet data. libxdp's dispatcher puts it in a slot
 * by freplace, and a kernel that checks extension programs for changes of
 * packet data (Debian's 6.12: the guest's) refuses a program that may
 * change them in a slot that does not (`net attach` failed with EINVAL on
 * every XDP port when the overlay rewrote frames in XDP). This host's
 * kernel refuses freplace altogether, so libxdp loads boost_xdp alone and
 * no attach here can tell: this test reads the object instead. Every code
 * section of net_xdp.bpf.o (the entry point and each of its subprograms,
 * the global functions in .text) is scanned for calls of the helpers the
 * kernel counts as changing packet data (bpf_helper_changes_pkt_data() in
 * net/core/filter.c) and for kfunc calls, which this list cannot judge.
 * As a proof that the scan finds such calls, net_tc.bpf.o, whose overlay
 * rewrites frames, must show some. Needs no root.
 */
#include <check.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../check_run.h"

/* The helpers that change packet data, by the kernel's list. */
static const struct {
	int id;
	const char *name;
} changers[] = {
#define H(n) { BPF_FUNC_##n, "bpf_" #n }
	H(xdp_adjust_head),
	H(xdp_adjust_meta),
	H(xdp_adjust_tail),
	H(skb_store_bytes),
	H(skb_change_head),
	H(skb_change_tail),
	H(skb_change_proto),
	H(skb_adjust_room),
	H(skb_pull_data),
	H(skb_vlan_push),
	H(skb_vlan_pop),
	H(clone_redirect),
	H(l3_csum_replace),
	H(l4_csum_replace),
	H(msg_pull_data),
	H(msg_push_data),
	H(msg_pop_data),
	H(lwt_push_encap),
	H(lwt_seg6_store_bytes),
	H(lwt_seg6_adjust_srh),
	H(lwt_seg6_action),
#undef H
};

struct scan {
	int helper_calls;  /* every helper call, so that an empty scan fails */
	int code_sections;
	int xdp_sections;  /* sections named xdp* */
	char found[1024];  /* "section: helper" of each changer or kfunc, or "" */
};

static const char *changer(int id)
{
	for (size_t i = 0; i < sizeof(changers) / sizeof(changers[0]); i++)
		if (changers[i].id == id)
			return changers[i].name;
	return NULL;
}

static void note(struct scan *s, const char *sec, const char *what)
{
	size_t n = strlen(s->found);

	snprintf(s->found + n, sizeof(s->found) - n, "%s%s: %s", n ? ", " : "", sec, what);
}

static void scan_object(const char *name, struct scan *s)
{
	const char *build = getenv("BOOST_BUILD");
	char path[4096];
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	Elf *elf;
	int fd;

	memset(s, 0, sizeof(*s));
	snprintf(path, sizeof(path), "%s/bpf/%s", build ? build : "build", name);
	ck_assert_msg(elf_version(EV_CURRENT) != EV_NONE, "libelf: %s", elf_errmsg(-1));
	fd = open(path, O_RDONLY);
	ck_assert_msg(fd >= 0, "cannot open %s", path);
	elf = elf_begin(fd, ELF_C_READ, NULL);
	ck_assert_msg(elf && elf_getshdrstrndx(elf, &shstrndx) == 0, "%s: not ELF: %s", path,
		      elf_errmsg(-1));
	while ((scn = elf_nextscn(elf, scn))) {
		const struct bpf_insn *insn;
		Elf_Data *data;
		GElf_Shdr sh;
		const char *sec;

		ck_assert(gelf_getshdr(scn, &sh));
		if (sh.sh_type != SHT_PROGBITS || !(sh.sh_flags & SHF_EXECINSTR) || !sh.sh_size)
			continue;
		sec = elf_strptr(elf, shstrndx, sh.sh_name);
		data = elf_getdata(scn, NULL);
		ck_assert_msg(sec && data && data->d_buf, "%s: unreadable section", path);
		s->code_sections++;
		s->xdp_sections += strncmp(sec, "xdp", 3) == 0;
		insn = data->d_buf;
		for (size_t i = 0; i < data->d_size / sizeof(*insn); i++) {
			const char *bad;

			if (insn[i].code != (BPF_JMP | BPF_CALL))
				continue;
			if (insn[i].src_reg == BPF_PSEUDO_KFUNC_CALL) {
				note(s, sec, "a kfunc");
				continue;
			}
			if (insn[i].src_reg != 0)
				continue; /* a call of a subprogram: scanned in its section */
			s->helper_calls++;
			if ((bad = changer(insn[i].imm)))
				note(s, sec, bad);
		}
	}
	elf_end(elf);
	close(fd);
}

START_TEST(test_xdp_changes_no_packet_data)
{
	struct scan s;

	scan_object("net_xdp.bpf.o", &s);
	ck_assert_msg(s.xdp_sections == 1 && s.helper_calls > 0,
		      "net_xdp.bpf.o: %d xdp sections, %d helper calls: not the XDP program",
		      s.xdp_sections, s.helper_calls);
	ck_assert_msg(!s.found[0],
		      "net_xdp.bpf.o calls what changes packet data (%s): the kernel refuses it "
		      "in a slot of libxdp's dispatcher; the overlay's rewriting is net_tc's",
		      s.found);
}
END_TEST

/* The scan sees such calls where they are: in the TC program, which rewrites. */
START_TEST(test_scan_finds_changers)
{
	struct scan s;

	scan_object("net_tc.bpf.o", &s);
	ck_assert_msg(s.code_sections > 0 && strstr(s.found, "bpf_skb_adjust_room") &&
		      strstr(s.found, "bpf_skb_store_bytes"),
		      "net_tc.bpf.o: the scan found no bpf_skb_adjust_room or "
		      "bpf_skb_store_bytes (found: %s)", s.found[0] ? s.found : "none");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("net_xdp_helpers");
	TCase *tc = tcase_create("helpers");

	tcase_add_test(tc, test_xdp_changes_no_packet_data);
	tcase_add_test(tc, test_scan_finds_changers);
	suite_add_tcase(s, tc);
	return check_run(s);
}
