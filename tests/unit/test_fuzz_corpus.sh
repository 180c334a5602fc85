#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Every libFuzzer harness runs once over every input of its corpus
# (tests/fuzz/corpus/NAME), fuzzing nothing: an input that once crashed a
# parser, kept there, fails make check as soon as the bug is back.
# make check builds the harnesses (make fuzz-build); make fuzz fuzzes.
# timeout: 300
. "$(dirname "$0")/../lib.sh"

dir=$BOOST_BUILD/fuzz
n=0
for src in "$BOOST_TOP"/tests/fuzz/fuzz_*.c; do
	name=$(basename "$src" .c)
	[ -x "$dir/$name" ] && n=$((n + 1))
done
[ "$n" -gt 0 ] || skip "the fuzz harnesses are not built (make fuzz-build; make check builds them)"
"$BOOST_TOP"/tests/fuzz/run --replay "$dir" || fail "a corpus input fails its harness (log in $dir/logs/)"
exit 0
