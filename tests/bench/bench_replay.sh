#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# A verifier's cost on logs of 1k, 10k and 100k entries: reading the log,
# replaying it to the quoted PCR, the full check (every signature), and
# the incremental check of one new entry after a kept position
# (tests/bench/replay_bench.c). One run; ratios against the read.
set -eu
. "$(dirname "$0")/../lib.sh"
dir=$(mktemp -d)
on_exit rm -rf "$dir"
"$BOOST_BUILD/tests/bench/replay_bench" "$dir" ${BENCH_REPLAY_N:-1000 10000 100000}
