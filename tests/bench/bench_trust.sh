#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The trust gate's cost: a verified, measured load of a BPF object against a
# plain load of the same bytes, and TPM commands per artifact, against a
# fresh swtpm (tests/swtpm.sh). One run; ratios only.
set -eu
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../swtpm.sh"
swtpm_start
state=$(mktemp -d)
on_exit rm -rf "$state"
"$BOOST_BUILD/tests/bench/trust_bench" "$BOOST_BUILD/trust-dev.json" "$state" \
	"$BOOST_BUILD/bpf/net_xdp.bpf.o" "${BENCH_ROUNDS:-200}"
