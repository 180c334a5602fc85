#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# boostctl's command line: dispatch, help, exit codes and JSON output.
# timeout: 90
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
[ "$(jq -er .error <<<"$out")" = "unknown object 'frobnicate'; see 'boostctl help'" ] ||
	fail "bad JSON error: $out"

# --help and -h on every object and command, from the tables: the command's
# grammar, exit 0, and nothing run.
expect_exit 0 "$BOOSTCTL" net port add --help
expect_match '^Usage: boostctl net port add NAME uplink' "$out"
expect_match 'MODE := \{ tc \| xdp \}' "$out"
expect_exit 0 "$BOOSTCTL" net port add vm1 mac 02:00:00:00:00:01 -h
expect_match '^Usage: boostctl net port add NAME' "$out"
expect_exit 0 "$BOOSTCTL" storage --help
expect_match 'Usage: boostctl storage add BACKEND' "$out"
expect_exit 0 "$BOOSTCTL" trust sign -h
[ "$out" = "Usage: boostctl trust sign --key KEY FILE..." ] || fail "trust sign -h: $out"
expect_exit 0 "$BOOSTCTL" apply --help
expect_match 'Usage: boostctl apply FILE' "$out"
expect_exit 0 "$BOOSTCTL" storage add help
expect_match 'B +:= \{ 512 \| 4096 \}' "$out"
expect_exit 0 "$BOOSTCTL" -j net sg --help
[ "$(jq -r '.commands | join(" ")' <<<"$out")" = "add del list help" ] || fail "net sg help -j: $out"

# A usage error points at the help of its object.
expect_exit 2 "$BOOSTCTL" net frob
expect_match "unknown command 'frob' for 'net'; see 'boostctl net help'" "$err"
expect_exit 2 "$BOOSTCTL" storage show
expect_match "see 'boostctl storage help'" "$err"
expect_exit 2 "$BOOSTCTL" apply
expect_match "see 'boostctl apply help'" "$err"

# Every command that a help lists exists and has its own help, and every
# command there is (the tables, as completion reads them) is listed.
# walk PATH...: check the group at PATH and the groups under it.
walk() {
	local listed cmd tables LC_ALL=C
	expect_exit 0 "$BOOSTCTL" "$@" help
	# "boostctl PATH CMD ..." or, at the top, the OBJECT line.
	if [ $# -eq 0 ]; then
		listed=$(sed -n 's/^OBJECT *:= { \(.*\) }$/\1/p' <<<"$out" | tr -d '|' | xargs -n1)
	else
		listed=$(sed -n "s/^\(Usage:\)\? *boostctl $* \([a-z-]*\).*/\2/p" <<<"$out" | uniq)
	fi
	[ -n "$listed" ] || fail "boostctl $* help lists no command: $out"
	tables=$("$BOOSTCTL" __complete "$@" '' | grep -v '^-')
	[ "$(sort <<<"$listed")" = "$(sort <<<"$tables")" ] ||
		fail "boostctl $* help lists '$(echo $listed)', the tables have '$(echo $tables)'"
	for cmd in $listed; do
		[ "$cmd" = help ] && continue
		expect_exit 0 "$BOOSTCTL" "$@" "$cmd" --help
		expect_match "^Usage: boostctl $* ?$cmd" "$out"
		# A group's help lists its commands; walk it too.
		if grep -qE "^ *boostctl $* ?$cmd [a-z]" <<<"$out"; then
			walk "$@" "$cmd"
		fi
	done
}
walk
expect_exit 0 "$BOOSTCTL" net port help
expect_match 'boostctl net port del NAME' "$out"

# -j and -p before or after the object and the command.
export BOOST_SOCKET=/nonexistent/boostd.sock
for args in "-j net stats" "net stats -j" "net -j stats" "--json storage list" \
	    "status show --json" "-p net stats" "net -p stats" "trust --pretty status"; do
	expect_exit 1 "$BOOSTCTL" $args
	jq -e '.error | test("boostd is not running")' <<<"$out" >/dev/null ||
		fail "boostctl $args: not a JSON error: $out"
done
expect_exit 1 "$BOOSTCTL" net -p stats
[ "$(wc -l <<<"$out")" -gt 1 ] || fail "net -p stats is not pretty: $out"
# JSON as a reader expects it: "/" is not escaped, in errors too.
expect_exit 1 "$BOOSTCTL" -j status
[[ $out == *'no one listens on /nonexistent/boostd.sock'* ]] || fail "escaped JSON: $out"
expect_exit 0 "$BOOSTCTL" version -j
jq -e .version <<<"$out" >/dev/null || fail "version -j: $out"
expect_exit 2 "$BOOSTCTL" trust sign -j
jq -e '.error | test("trust sign needs --key")' <<<"$out" >/dev/null || fail "trust sign -j: $out"
# After "--", -j is a command's argument: here, a file to sign.
tmp=$(mktemp -d)
on_exit rm -rf "$tmp"
expect_exit 0 "$BOOSTCTL" trust keygen --key "$tmp/k.pem" --cert "$tmp/c.pem"
echo data >"$tmp/-j"
expect_exit 0 sh -c 'cd "$1" && "$2" trust sign --key k.pem -- -j' sh "$tmp" "$BOOSTCTL"
[ "$out" = "signed -j" ] || fail "trust sign -- -j: $out"
[ -f "$tmp/-j.sig" ] || fail "trust sign -- -j wrote no -j.sig"
exit 0
