# SPDX-License-Identifier: GPL-2.0-only
#
# boost: one top-level Makefile, out-of-tree build in $(O).
#   make                 build every program, BPF object and test into build/
#   make programs        build only what `make install` installs
#   make V=1             show the commands
#   make SANITIZE=1      build with ASan and UBSan (into build/sanitize/)
#   make check           install dependencies, build, run every test group
#   make fuzz            build the libFuzzer harnesses, fuzz each FUZZ_SECONDS (30)
#   make bench           install dependencies, build, run the benchmarks
#   make demo            install dependencies, build, show what boost does
#   make install DESTDIR= PREFIX= SYSCONFDIR=, make uninstall (the same)

VERSION := 0.1.0

ifeq ($(SANITIZE),1)
O ?= build/sanitize
else
O ?= build
endif

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

.DELETE_ON_ERROR:
.SUFFIXES:
.SECONDARY:

CC ?= gcc
CLANG ?= clang
LLVM_STRIP ?= llvm-strip
PKG_CONFIG ?= pkg-config

PREFIX ?= /usr/local
SYSCONFDIR ?= /etc
DESTDIR ?=

# Every library through pkg-config. Recursive (=) so that "make check" on a
# fresh machine can install the packages before the flags are first needed.
# Per program: boostctl checks quotes offline and talks to no TPM, so it
# links neither ESYS nor a TCTI (tests/unit/test_link.sh checks it); libbpf
# only for the versions it prints. boostd links libsystemd for sd_notify,
# libcryptsetup for encrypted disks' LUKS2 headers (boost-ublk, static, only
# runs the cipher: docs/storage.md), and libnbd for such a header on an NBD
# server.
LIBS_CLI := libbpf libelf json-c libcrypto tss2-mu
LIBS_DAEMON := libbpf libxdp libelf json-c libcrypto tss2-esys tss2-tctildr tss2-mu tss2-rc libsystemd libmnl \
	libcryptsetup libnbd
# Headers of every ctl/ library, for every ctl/ object.
LIBS_CTL := $(LIBS_DAEMON)
LIBS_TEST := check json-c
pc_cflags = $(shell $(PKG_CONFIG) --cflags $(1))
pc_libs = $(shell $(PKG_CONFIG) --libs $(1))

# Messages are cut to their buffers by design, so -Wformat-truncation
# (which cannot tell a message from a path) is off; paths check their length.
WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wno-unused-parameter -Wno-format-truncation
CFLAGS ?= -O2 -g
ifeq ($(SANITIZE),1)
CFLAGS += -O1 -fno-omit-frame-pointer -fsanitize=address,undefined \
	-fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
endif
# CPPFLAGS, CFLAGS and LDFLAGS are the caller's, as dpkg-buildflags sets them.
ALL_CFLAGS = -std=gnu11 $(WARN) $(CPPFLAGS) $(CFLAGS) -D_GNU_SOURCE \
	-DBOOST_VERSION='"$(VERSION)"' -DBOOST_SVN=$(BOOST_SVN) -I ctl -I bpf -I ublk-target

# The BPF objects are signed and a verifier knows them by digest, so their
# bytes depend on the build's inputs only (compiler, libbpf's and the UAPI
# headers), never on the running kernel or the build directory:
# bpf/uapi.h instead of a vmlinux.h, -g for the BTF of the maps with the
# tree's path mapped to ".", and no DWARF in the object (docs/network.md).
# The artifacts' security version, in their section .boost.svn (the network
# objects' and boost-ublk's, docs/trust.md): raise it with a fix that an
# upgrade must never roll back; boostd's rollback floor compares it.
BOOST_SVN ?= 1
BPF_CFLAGS := -O2 -g -target bpf -Wall -Werror -I bpf \
	-idirafter /usr/include/$(shell $(CLANG) -print-multiarch) \
	-fdebug-prefix-map=$(CURDIR)=. -DBOOST_SVN=$(BOOST_SVN)

# ---- sources ---------------------------------------------------------------

# One source list per part of ctl/ (docs/architecture.md); each program
# links only the parts it uses, and no part of the daemon is in boostctl.
COMMON_SRCS := \
	ctl/common/errmsg.c \
	ctl/common/fileio.c \
	ctl/common/dup.c \
	ctl/common/hex.c \
	ctl/common/json_arg.c \
	ctl/common/log.c \
	ctl/common/proto.c
# The trust chain, offline: signatures, logs, the policy, quote checks, the
# sets' manifests and the artifacts' versions (libelf).
TRUST_SRCS := \
	ctl/trust/attest.c \
	ctl/trust/trust_cred.c \
	ctl/trust/trust_ima_rules.c \
	ctl/trust/trust_keylime.c \
	ctl/trust/trust_log.c \
	ctl/trust/trust_closure.c \
	ctl/trust/trust_manifest.c \
	ctl/trust/trust_policy.c \
	ctl/trust/trust_predict.c \
	ctl/trust/trust_quote.c \
	ctl/trust/trust_sig.c \
	ctl/trust/trust_svn.c
# ... and the daemon's: the parts that talk to a TPM (ESYS) and measure.
TRUST_TPM_SRCS := \
	ctl/trust/trust_gate.c \
	ctl/trust/trust_kernel_ima.c \
	ctl/trust/trust_tpm.c
DAEMON_SRCS := \
	ctl/daemon/boostd.c \
	ctl/daemon/clients.c \
	ctl/daemon/config.c \
	ctl/daemon/dispatch.c \
	ctl/daemon/job.c \
	ctl/daemon/loop.c \
	ctl/daemon/trust_object.c
NET_SRCS := \
	ctl/net/net_conf.c \
	ctl/net/net_conf_dhcp.c \
	ctl/net/net_conf_overlay.c \
	ctl/net/net_dhcp.c \
	ctl/net/net_flows.c \
	ctl/net/net_link.c \
	ctl/net/net_object.c \
	ctl/net/net_overlay.c \
	ctl/net/net_pin.c \
	ctl/net/net_probe.c \
	ctl/net/net_rate.c \
	ctl/net/net_sg.c \
	ctl/net/net_xsk.c
STORAGE_SRCS := \
	ctl/storage/storage_conf.c \
	ctl/storage/storage_crypt.c \
	ctl/storage/storage_object.c \
	ublk-target/blk_size.c \
	ublk-target/cache_spec.c \
	ublk-target/nbd_conn.c \
	ublk-target/nbd_uri.c \
	ublk-target/rbd_spec.c
CLI_SRCS := \
	ctl/cli/boostctl.c \
	ctl/cli/cli.c \
	ctl/cli/client.c \
	ctl/cli/cmd_apply.c \
	ctl/cli/cmd_attest.c \
	ctl/cli/cmd_metrics.c \
	ctl/cli/cmd_net.c \
	ctl/cli/cmd_status.c \
	ctl/cli/cmd_storage.c \
	ctl/cli/cmd_trust.c \
	ctl/cli/output.c

BOOSTCTL_SRCS := $(CLI_SRCS) $(COMMON_SRCS) $(TRUST_SRCS) ublk-target/blk_size.c
# The metrics' text format: only boostd writes it.
BOOSTD_SRCS := $(DAEMON_SRCS) $(NET_SRCS) $(STORAGE_SRCS) $(COMMON_SRCS) $(TRUST_SRCS) \
	$(TRUST_TPM_SRCS) ctl/common/prom.c
# What the tests and tools link: every module but the programs' mains.
CTL_LIB_SRCS := $(filter-out ctl/cli/boostctl.c ctl/daemon/boostd.c,\
	$(sort $(BOOSTCTL_SRCS) $(BOOSTD_SRCS)))

BPF_SRCS := $(wildcard bpf/*.bpf.c)
BPF_OBJS := $(patsubst bpf/%.bpf.c,$(O)/bpf/%.bpf.o,$(BPF_SRCS))
# Baselines the benchmarks compare against; never installed.
BENCH_BPF_OBJS := $(patsubst tests/bench/%.bpf.c,$(O)/tests/bench/%.bpf.o,\
	$(wildcard tests/bench/*.bpf.c))

# Check suites: tests/GROUP/test_NAME.c becomes $(O)/tests/GROUP/test_NAME.
TEST_SRCS := $(wildcard tests/*/test_*.c)
TEST_BINS := $(patsubst tests/%.c,$(O)/tests/%,$(TEST_SRCS))
# Benchmark drivers: tests/bench/NAME_bench.c becomes $(O)/tests/bench/NAME_bench;
# pktgen, the network bench's traffic generator, and xsk_count, the example
# consumer of a steered queue (and a recvmmsg sink), are built the same way.
BENCH_BINS := $(patsubst tests/%.c,$(O)/tests/%,$(wildcard tests/bench/*_bench.c) \
	tests/bench/pktgen.c tests/bench/xsk_count.c)

PROGS := $(O)/boostctl $(O)/boostd $(O)/boost-ublk $(O)/boost-ublk-rbd $(O)/boost-xsk

obj = $(patsubst %.c,$(O)/obj/%.o,$(1))

# programs: what `make install` installs (and the development trust policy
# to try them in place); tests: the suites, the tests' tools and the bench.
.PHONY: all programs tests bpf
all: programs tests
programs: $(PROGS) $(BPF_OBJS) signed
tests: $(TEST_BINS) $(BENCH_BPF_OBJS) $(BENCH_BINS)
bpf: $(BPF_OBJS) $(BENCH_BPF_OBJS)

# ---- C ---------------------------------------------------------------------

$(O)/obj/%.o: %.c
	$(call msg,CC,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) $(call pc_cflags,$(LIBS_CTL)) -MMD -MP -c -o $@ $<

$(O)/boostctl: $(call obj,$(BOOSTCTL_SRCS))
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(call pc_libs,$(LIBS_CLI))

$(O)/boostd: $(call obj,$(BOOSTD_SRCS))
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(call pc_libs,$(LIBS_DAEMON))

# Each suite links the ctl modules; suites of the bpf group also need
# the BPF objects they load.
$(filter $(O)/tests/bpf/%,$(TEST_BINS)): $(BPF_OBJS)
$(O)/tests/%: $(O)/obj/tests/%.o $(call obj,$(CTL_LIB_SRCS))
	$(call msg,LINK,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) -o $@ $(filter-out %.bpf.o,$(filter %.o,$^)) $(call pc_libs,$(LIBS_CTL) $(LIBS_TEST))

$(O)/obj/tests/%.o: tests/%.c
	$(call msg,CC,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) $(call pc_cflags,$(LIBS_CTL) $(LIBS_TEST)) -MMD -MP -c -o $@ $<

# The trust group's drivers of ctl/trust_*.c for its shell tests (not tests).
TRUST_TOOLS := $(O)/tests/trust-bin/trustfmt $(O)/tests/trust-bin/gate_exec
# Stand-ins for boost-ublk, signed as it by the tests: static like it (boostd
# starts a dynamic executable only with its closure), so without the
# sanitizers, which need ld.so.
TRUST_FAKES := $(O)/tests/trust-bin/never_ready $(O)/tests/trust-bin/fake_ublk
tests: $(TRUST_TOOLS) $(TRUST_FAKES)
$(O)/tests/trust-bin/%: $(O)/obj/tests/trust/%.o $(call obj,$(CTL_LIB_SRCS))
	$(call msg,LINK,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(call pc_libs,$(LIBS_CTL))
# (Makefile: a build from before they were static links them again.)
$(TRUST_FAKES): $(O)/tests/trust-bin/%: tests/trust/%.c Makefile
	$(call msg,LINK,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) -std=gnu11 $(WARN) -O2 -g -D_GNU_SOURCE -static -o $@ $<

# ---- xsk ------------------------------------------------------------------

# boost-xsk, DHCPv4 for the VMs from AF_XDP sockets (docs/network.md). It
# reads the network document with boostd's own parser. Linked statically,
# as boost-ublk is (boostd measures the bytes it fexecve()s); not with the
# sanitizers, which need ld.so.
XSK_SRCS := \
	xsk/boost_xsk.c \
	xsk/xsk_confine.c \
	xsk/xsk_serve.c \
	ctl/common/dup.c \
	ctl/common/fileio.c \
	ctl/common/json_arg.c \
	ctl/net/net_conf.c \
	ctl/net/net_conf_dhcp.c \
	ctl/net/net_conf_overlay.c \
	ctl/net/net_dhcp.c \
	ctl/net/net_rate.c \
	ctl/net/net_sg.c
LIBS_XSK := libxdp libbpf json-c libcap libseccomp
ifeq ($(SANITIZE),1)
XSK_LDLIBS = $(call pc_libs,$(LIBS_XSK))
else
XSK_LDLIBS = -static -Wl,--gc-sections $(shell $(PKG_CONFIG) --static --libs $(LIBS_XSK))
endif

$(O)/boost-xsk: $(call obj,$(XSK_SRCS))
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(XSK_LDLIBS)

# Its unit suite links its answers' module beside the ctl modules.
$(O)/tests/unit/test_xsk_serve: $(O)/obj/xsk/xsk_serve.o

# ---- ublk-target -----------------------------------------------------------

# boost-ublk, one file per module and per backend. It needs the 6.12 UAPI
# <linux/ublk_cmd.h> (ioctl-encoded commands, newer flags), which Debian's
# linux-libc-dev (6.1) lacks: scripts/ublk-header takes it from the package
# linux-headers-6.12.*+deb12-common into $(O)/include/linux/, never the tree.
UBLK_SRCS := \
	ublk-target/backend_cache.c \
	ublk-target/backend_file.c \
	ublk-target/backend_mem.c \
	ublk-target/backend_nbd.c \
	ublk-target/backend_null.c \
	ublk-target/blk_backend.c \
	ublk-target/blk_confine.c \
	ublk-target/blk_crypt.c \
	ublk-target/blk_ctrl.c \
	ublk-target/blk_qos.c \
	ublk-target/blk_queue.c \
	ublk-target/blk_size.c \
	ublk-target/boost_ublk.c \
	ublk-target/cache_index.c \
	ublk-target/cache_spec.c \
	ublk-target/nbd_conn.c \
	ublk-target/nbd_uri.c \
	ublk-target/rbd_spec.c
UBLK_HDR := $(O)/include/linux/ublk_cmd.h
# libcrypto: AES-XTS for encrypted devices (blk_crypt.c), from Debian's
# libcrypto.a; OpenSSL's configuration file is never read (no providers
# loaded from disk).
LIBS_UBLK := liburing libcap libseccomp libnbd libcrypto zlib
# boost-ublk is linked statically: boostd measures the bytes it fexecve()s,
# and a dynamic binary would then load ld.so and its libraries from disk,
# unmeasured (docs/trust.md). Not with the sanitizers, which need ld.so.
# libnbd.a without its TLS and libxml2 halves: ublk-target/nbd_notls.c
# stands in for them in the static link only (docs/trust.md); a dynamic
# link takes libnbd.so as it is.
ifeq ($(SANITIZE),1)
UBLK_LDLIBS = $(call pc_libs,$(LIBS_UBLK))
UBLK_STATIC_SRCS :=
else
UBLK_LDLIBS = -static -Wl,--gc-sections $(shell $(PKG_CONFIG) --static --libs $(LIBS_UBLK))
UBLK_STATIC_SRCS := ublk-target/nbd_notls.c
endif

$(UBLK_HDR): scripts/ublk-header
	$(call msg,GEN,$@)
	$(Q)scripts/ublk-header $@

$(call obj,$(UBLK_SRCS) $(UBLK_STATIC_SRCS)): $(UBLK_HDR)
$(call obj,$(UBLK_SRCS) $(UBLK_STATIC_SRCS)): ALL_CFLAGS += -I $(O)/include $(call pc_cflags,$(LIBS_UBLK))

$(O)/boost-ublk: $(call obj,$(UBLK_SRCS) $(UBLK_STATIC_SRCS))
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) -pthread -o $@ $^ $(UBLK_LDLIBS)

# boost-ublk-rbd: the same server with the rbd backend, linked dynamically,
# since Debian ships librbd and librados as shared libraries only (and no
# pkg-config file for them); boostd starts it with its closure (docs/trust.md). libnbd, liburing, libcap and libseccomp stay
# static in it, libnbd without TLS and libxml2 as in boost-ublk: only
# librbd's closure is shared (libnbd.so alone would bring GnuTLS,
# libxml2 and ICU, 17 more objects and 50 MB).
UBLK_RBD_SRCS := ublk-target/backend_rbd.c ublk-target/rbd_spec.c
UBLK_RBD_OBJS := $(call obj,$(filter-out ublk-target/blk_backend.c,$(UBLK_SRCS)) $(UBLK_RBD_SRCS)) \
	$(O)/obj/rbd/ublk-target/blk_backend.o $(call obj,ublk-target/nbd_notls.c)
UBLK_RBD_LDLIBS = -Wl,-Bstatic -lnbd -luring -lcap -lseccomp -Wl,-Bdynamic \
	$(call pc_libs,libcrypto zlib) -lrbd -lrados
$(call obj,$(UBLK_RBD_SRCS)): $(UBLK_HDR)
$(call obj,$(UBLK_RBD_SRCS)): ALL_CFLAGS += -I $(O)/include $(call pc_cflags,$(LIBS_UBLK))
$(O)/obj/rbd/ublk-target/blk_backend.o: ublk-target/blk_backend.c $(UBLK_HDR)
	$(call msg,CC,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) -DBLK_BACKEND_RBD -I $(O)/include $(call pc_cflags,$(LIBS_UBLK)) \
		-MMD -MP -c -o $@ $<
$(O)/boost-ublk-rbd: $(UBLK_RBD_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) -pthread -o $@ $^ $(UBLK_RBD_LDLIBS)
# A dynamic executable's closure on this machine, each shared object and its
# SHA-256, signed with it: boostd starts the executable only while its
# libraries are those (docs/trust.md). boost-ublk-rbd always; boost-ublk
# and boost-xsk in a SANITIZE=1 build, where they are dynamic too.
$(O)/%.libs: $(O)/% scripts/ublk-closure
	$(call msg,GEN,$@)
	$(Q)scripts/ublk-closure $< >$@

# The same server with a test hook (-DBLK_CONFINE_TEST): on SIGUSR1 it tries
# what its confinement must refuse (tests/vm/test_storage_confine.sh).
# Never installed, never signed.
UBLK_CONFINE_TEST := $(O)/tests/vm-bin/boost-ublk-confine-test
tests: $(UBLK_CONFINE_TEST)
$(O)/obj/confine-test/%.o: %.c $(UBLK_HDR)
	$(call msg,CC,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) -I $(O)/include $(call pc_cflags,$(LIBS_UBLK)) \
		-DBLK_CONFINE_TEST -MMD -MP -c -o $@ $<
$(UBLK_CONFINE_TEST): $(patsubst %.c,$(O)/obj/confine-test/%.o,$(UBLK_SRCS) $(UBLK_STATIC_SRCS))
	$(call msg,LINK,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) -pthread -o $@ $^ $(UBLK_LDLIBS)

# Its unit suites link the modules (not main), liburing and libcrypto, not ctl/.
UBLK_TEST := $(O)/tests/unit/test_blk_backend $(O)/tests/unit/test_blk_crypt \
	$(O)/tests/unit/test_cache_index
$(patsubst $(O)/%,$(O)/obj/%.o,$(UBLK_TEST)): $(UBLK_HDR)
$(patsubst $(O)/%,$(O)/obj/%.o,$(UBLK_TEST)): ALL_CFLAGS += -I $(O)/include -I ublk-target
$(UBLK_TEST): $(O)/tests/unit/%: $(O)/obj/tests/unit/%.o \
		$(call obj,$(filter-out ublk-target/boost_ublk.c,$(UBLK_SRCS)))
	$(call msg,LINK,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) -pthread -o $@ $^ $(call pc_libs,$(LIBS_TEST) $(LIBS_UBLK))

# The bench of the encryption loop links blk_crypt.c and libcrypto only.
$(O)/obj/tests/bench/crypt_bench.o: ALL_CFLAGS += -I ublk-target
$(O)/tests/bench/crypt_bench: $(O)/obj/tests/bench/crypt_bench.o $(O)/obj/ublk-target/blk_crypt.o
	$(call msg,LINK,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(call pc_libs,libcrypto)

# ---- BPF -------------------------------------------------------------------

# Compiled, then stripped of DWARF (the BTF stays: libbpf needs it for the
# maps). The bench's baselines follow the same rule as what is installed.
$(O)/bpf/%.bpf.o: bpf/%.bpf.c
	$(call msg,BPF,$@)
	@mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -MMD -MP -MF $(@:.o=.d) -MT $@ -c -o $@.tmp $<
	$(Q)$(LLVM_STRIP) --strip-debug -o $@ $@.tmp && rm -f $@.tmp

$(O)/tests/bench/%.bpf.o: tests/bench/%.bpf.c
	$(call msg,BPF,$@)
	@mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -MMD -MP -MF $(@:.o=.d) -MT $@ -c -o $@.tmp $<
	$(Q)$(LLVM_STRIP) --strip-debug -o $@ $@.tmp && rm -f $@.tmp

# ---- signing ---------------------------------------------------------------

# Built artifacts are signed with a development key made here at build time
# and never committed (build/ is ignored). Production signers are a trust
# policy setting (docs/trust.md).
DEV_KEY := $(O)/keys/dev-signer.key
DEV_CERT := $(O)/keys/dev-signer.crt
# boost-ublk too: boostd starts it only through the trust gate (kind exec).
CLOSURES := $(O)/boost-ublk-rbd.libs
ifeq ($(SANITIZE),1)
CLOSURES += $(O)/boost-ublk.libs $(O)/boost-xsk.libs
endif
SIGNED := $(BPF_OBJS) $(O)/boost-ublk $(O)/boost-xsk $(O)/boost-ublk-rbd $(CLOSURES)

.PHONY: signed
signed: $(addsuffix .sig,$(SIGNED)) $(O)/trust-dev.json $(O)/trust-dev-rbd.json

$(DEV_KEY): | $(O)/boostctl
	$(call msg,KEYGEN,$@)
	@mkdir -p $(@D)
	$(Q)rm -f $(DEV_KEY) $(DEV_CERT)
	$(Q)$(O)/boostctl trust keygen --key $(DEV_KEY) --cert $(DEV_CERT) \
		--cn "boost development signer (not for production)" >/dev/null
$(DEV_CERT): $(DEV_KEY)

# boostctl signs: with a key already there, nothing else orders it first.
%.sig: % $(DEV_KEY) | $(O)/boostctl
	$(call msg,SIGN,$<)
	$(Q)$(O)/boostctl trust sign --key $(DEV_KEY) $< >/dev/null

$(O)/trust-dev.json: scripts/dev-trust-policy $(BPF_OBJS) $(O)/boost-ublk $(O)/boost-xsk \
		$(O)/boost-ublk-rbd $(CLOSURES) $(DEV_CERT)
	$(call msg,GEN,$@)
	$(Q)scripts/dev-trust-policy $(O) > $@
$(O)/trust-dev-rbd.json: $(O)/trust-dev.json
	$(call msg,GEN,$@)
	$(Q)scripts/dev-trust-policy $(O) --rbd > $@

# ---- fuzzing ----------------------------------------------------------------

# One libFuzzer harness per parser, tests/fuzz/fuzz_NAME.c -> $(O)/fuzz/fuzz_NAME
# (docs/testing.md). The modules are the tests' (CTL_LIB_SRCS), compiled by
# clang with ASan, UBSan and the fuzzer's coverage into $(O)/fuzz/obj and
# archived, so that each harness links only the modules it uses (the
# dispatcher and the objects are modules; only boostd.c's main is not).
# clang's libFuzzer runtime is Debian's libclang-rt-14-dev.
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS := $(patsubst tests/fuzz/%.c,$(O)/fuzz/%,$(FUZZ_SRCS))
FUZZ_LIB := $(O)/fuzz/libboost.a
FUZZ_SANITIZE := -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_CFLAGS = $(ALL_CFLAGS) -O1 -fno-omit-frame-pointer -fsanitize=fuzzer-no-link \
	$(FUZZ_SANITIZE) -Wno-unknown-warning-option
FUZZ_SECONDS ?= 30
fuzz_obj = $(patsubst %.c,$(O)/fuzz/obj/%.o,$(1))

$(O)/fuzz/obj/%.o: %.c
	$(call msg,FUZZCC,$@)
	@mkdir -p $(@D)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) $(call pc_cflags,$(LIBS_CTL)) -MMD -MP -c -o $@ $<

$(FUZZ_LIB): $(call fuzz_obj,$(CTL_LIB_SRCS))
	$(call msg,AR,$@)
	$(Q)rm -f $@
	$(Q)ar rcs $@ $^

$(O)/fuzz/fuzz_%: $(O)/fuzz/obj/tests/fuzz/fuzz_%.o $(O)/fuzz/obj/tests/fuzz/input.o $(FUZZ_LIB)
	$(call msg,LINK,$@)
	$(Q)$(CLANG) $(LDFLAGS) -fsanitize=fuzzer $(FUZZ_SANITIZE) -o $@ $(filter %.o,$^) \
		$(FUZZ_LIB) $(call pc_libs,$(LIBS_DAEMON) zlib)

# The cache's index is boost-ublk's only, not the tests' modules.
$(O)/fuzz/fuzz_cache_index: $(call fuzz_obj,ublk-target/cache_index.c)

.PHONY: fuzz fuzz-build
fuzz-build: $(FUZZ_BINS)

# Each harness for FUZZ_SECONDS over its corpus (tests/fuzz/corpus/NAME);
# any finding fails, and its input is left in $(O)/fuzz/findings/.
fuzz: deps
	$(Q)$(MAKE) --no-print-directory fuzz-build
	$(Q)tests/fuzz/run --seconds $(FUZZ_SECONDS) $(abspath $(O))/fuzz

# ---- tests, bench, demo ----------------------------------------------------

.PHONY: deps check bench demo
deps:
	$(Q)scripts/install-deps

# The harnesses too: tests/unit/test_fuzz_corpus.sh replays their corpora.
check: deps
	$(Q)$(MAKE) --no-print-directory all fuzz-build
	$(Q)BOOST_BUILD=$(abspath $(O)) tests/run

bench: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)BOOST_BUILD=$(abspath $(O)) scripts/bench

demo: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)BOOST_BUILD=$(abspath $(O)) scripts/demo

# ---- install ---------------------------------------------------------------

BINDIR := $(PREFIX)/sbin
BPFDIR := $(PREFIX)/lib/boost/bpf
UNITDIR := $(PREFIX)/lib/systemd/system
MANDIR := $(PREFIX)/share/man
CONFDIR := $(SYSCONFDIR)/boost
MAN8 := docs/boostctl.8 docs/boostd.8 docs/boost-ublk.8 docs/boost-xsk.8
MAN5 := docs/boostd.json.5 docs/boost-trust-policy.5 docs/boost-network.5 docs/boost-storage.5
POLICIES := $(wildcard policies/*.json)
# The unit and the policies name /usr/local and /etc/boost: installed, they
# name where this install put things.
at_prefix = sed -e 's|/usr/local|$(PREFIX)|g' -e 's|/etc/boost|$(CONFDIR)|g' $(1)

.PHONY: install uninstall
install: programs
	$(call msg,INSTALL,$(DESTDIR)$(PREFIX) $(DESTDIR)$(CONFDIR))
	$(Q)install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(BPFDIR) $(DESTDIR)$(UNITDIR) \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(CONFDIR)
	$(Q)install -m 0755 $(PROGS) $(DESTDIR)$(BINDIR)/
	$(Q)install -m 0644 $(O)/boost-ublk.sig $(O)/boost-ublk-rbd.sig $(O)/boost-ublk-rbd.libs \
		$(O)/boost-ublk-rbd.libs.sig $(O)/boost-xsk.sig $(DESTDIR)$(BINDIR)/
	$(Q)$(if $(BPF_OBJS),install -m 0644 $(BPF_OBJS) $(addsuffix .sig,$(BPF_OBJS)) \
		$(DESTDIR)$(BPFDIR)/)
	$(Q)install -m 0644 $(MAN8) $(DESTDIR)$(MANDIR)/man8/
	$(Q)install -m 0644 $(MAN5) $(DESTDIR)$(MANDIR)/man5/
	$(Q)$(call at_prefix,ctl/daemon/boostd.service) > $(DESTDIR)$(UNITDIR)/boostd.service
	$(Q)chmod 0644 $(DESTDIR)$(UNITDIR)/boostd.service
	@# A configuration already there is the administrator's: never overwritten.
	$(Q)for f in $(POLICIES); do \
		t=$(DESTDIR)$(CONFDIR)/$${f##*/}; \
		if [ -e "$$t" ]; then echo "  KEEP     $$t (exists)"; continue; fi; \
		$(call at_prefix,$$f) > "$$t.tmp" && chmod 0644 "$$t.tmp" && mv "$$t.tmp" "$$t" || exit 1; \
	done

# Removes what install installed; a file under $(CONFDIR) only while it is
# what install wrote (a changed configuration is the administrator's).
uninstall:
	$(call msg,UNINSTALL,$(DESTDIR)$(PREFIX) $(DESTDIR)$(CONFDIR))
	$(Q)rm -f $(addprefix $(DESTDIR)$(BINDIR)/,$(notdir $(PROGS)) boost-ublk.sig boost-ublk-rbd.sig boost-ublk-rbd.libs boost-ublk-rbd.libs.sig boost-xsk.sig) \
		$(addprefix $(DESTDIR)$(BPFDIR)/,$(notdir $(BPF_OBJS) $(addsuffix .sig,$(BPF_OBJS)))) \
		$(addprefix $(DESTDIR)$(MANDIR)/man8/,$(notdir $(MAN8))) \
		$(addprefix $(DESTDIR)$(MANDIR)/man5/,$(notdir $(MAN5))) \
		$(DESTDIR)$(UNITDIR)/boostd.service
	$(Q)for f in $(POLICIES); do \
		t=$(DESTDIR)$(CONFDIR)/$${f##*/}; \
		[ -e "$$t" ] || continue; \
		if $(call at_prefix,$$f) | cmp -s - "$$t"; then rm -f "$$t"; \
		else echo "  KEEP     $$t (changed)"; fi; \
	done
	$(Q)rmdir $(DESTDIR)$(BPFDIR) $(DESTDIR)$(PREFIX)/lib/boost $(DESTDIR)$(CONFDIR) 2>/dev/null || true

.PHONY: clean
clean:
	$(call msg,CLEAN,build)
	$(Q)rm -rf build

-include $(shell find $(O) -name '*.d' 2>/dev/null)
