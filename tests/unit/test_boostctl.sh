#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# boostctl's command line: dispatch, help, exit codes and JSON output.
# timeout: 30
. "$(dirname "$0")/../lib.sh"
require_tool jq

expect_exit 0 "$BOOSTCTL" version
expect_match '^boostctl v[0-9]+\.[0-9]+\.[0-9]+' "$out"

# -j gives one JSON document with the same facts as the text.
expect_exit 0 "$BOOSTCTL" -j version
v=$(jq -er .version <<<"$out") || fail "no version in JSON: $out"
expect_match "v$v" "$("$BOOSTCTL" version)"
[ "$(wc -l <<<"$out")" -eq 1 ] || fail "-j is not on one line: $out"
expect_exit 0 "$BOOSTCTL" -p version
[ "$(wc -l <<<"$out")" -gt 1 ] || fail "-p is not pretty: $out"
[ "$(jq -c . <<<"$out")" = "$("$BOOSTCTL" -j version | jq -c .)" ] || fail "-p and -j differ"

# A prefix of an object is accepted.
expect_exit 0 "$BOOSTCTL" vers
expect_exit 0 "$BOOSTCTL" --version

# help: top level, per object, and no object at all.
expect_exit 0 "$BOOSTCTL" help
expect_match 'OBJECT +:= \{ trust \| attest \| net \| storage \| metrics \| apply \| status \| version \| help \}' "$out"
expect_exit 0 "$BOOSTCTL" metrics help
expect_match 'Prometheus text format' "$out"
expect_exit 1 env BOOST_SOCKET=/nonexistent/boostd.sock "$BOOSTCTL" metrics
expect_match 'boostd is not running' "$err"
# net's usage errors are found before boostd is asked.
expect_exit 2 "$BOOSTCTL" net port add
expect_exit 2 "$BOOSTCTL" net port add vm1 mac
expect_match "'mac' needs a value" "$err"
expect_exit 2 "$BOOSTCTL" net port add vm1 color blue
expect_exit 2 "$BOOSTCTL" net sg add one
expect_match "security group 'one': expected a number" "$err"
expect_exit 2 "$BOOSTCTL" net sg del 1 prio
expect_exit 2 "$BOOSTCTL" apply
expect_exit 0 "$BOOSTCTL" net help
expect_match 'net port' "$out"
# storage's too; -j after the command is -j.
expect_exit 2 "$BOOSTCTL" storage add
expect_match "storage add needs a BACKEND" "$err"
expect_exit 2 "$BOOSTCTL" storage add null --queues many
expect_match "--queues 'many': expected a number" "$err"
expect_exit 2 "$BOOSTCTL" storage add null mem:8M
expect_match "unexpected argument 'mem:8M'" "$err"
expect_exit 2 "$BOOSTCTL" storage show
expect_exit 2 "$BOOSTCTL" storage del 1 2
expect_exit 0 "$BOOSTCTL" storage help
expect_match 'DEV +:= \{ ID \| /dev/ublkbID \}' "$out"
expect_exit 1 env BOOST_SOCKET=/nonexistent/boostd.sock "$BOOSTCTL" storage list -j
[ "$(jq -er .error <<<"$out")" = "boostd is not running (no socket at /nonexistent/boostd.sock)" ] ||
	[[ $(jq -er .error <<<"$out") =~ boostd\ is\ not\ running ]] || fail "storage list -j: $out"
expect_exit 0 "$BOOSTCTL" version help
expect_match 'Usage: boostctl version' "$out"
expect_exit 2 "$BOOSTCTL"
expect_match 'Usage:' "$err"

# Usage errors: exit 2, and the message names the word.
expect_exit 2 "$BOOSTCTL" frobnicate
expect_match "unknown object 'frobnicate'" "$err"
[ -z "$out" ] || fail "usage error printed to stdout: $out"
expect_exit 2 "$BOOSTCTL" version extra
expect_match "unexpected argument 'extra'" "$err"
expect_exit 2 "$BOOSTCTL" --frobnicate version
expect_match "unknown option '--frobnicate'" "$err"

# In JSON mode an error is a document on stdout.
expect_exit 2 "$BOOSTCTL" -j frobnicate
[ "$(jq -er .error <<<"$out")" = "unknown object 'frobnicate'; try 'boostctl help'" ] ||
	fail "bad JSON error: $out"
exit 0
