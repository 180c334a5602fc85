#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The policy core's cost per frame, XDP and TC entry points, with 1, 1k and
# 10k security-group rules, against a bare XDP_PASS (net_bench.c: in
# namespaces of its own, through BPF_PROG_TEST_RUN). One run; ratios.
set -eu
BOOST_BUILD=${BOOST_BUILD:-build}
[ "$(id -u)" -eq 0 ] || { echo "bench net: needs root" >&2; exit 1; }
exec "$BOOST_BUILD/tests/bench/net_bench" "$BOOST_BUILD" "${BENCH_ROUNDS:-7}" \
	"${BENCH_REPEAT:-1000000}"
