#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The network control plane's bench: how the cost of boostd's operations
# grows with the number of vNICs. For N in BENCH_NETCTL_N (default "1 10
# 100") and each mode (xdp, tc): N veth pairs, the host ends in boostd's
# namespace, the VM ends in one other namespace; one apply of a document
# with N vNICs (one ICMP rule), then
#   attach    `boostctl net attach`, wall time;
#   status    the slowest `boostctl status` answered while that attach ran
#             (one client asking in a loop): how long boostd leaves a client
#             waiting;
#   upgrade   `boostctl net upgrade` to the same verified build: every
#             port's program swapped for a newly loaded one, wall time;
#   port add  one more vNIC added to the attached host (`boostctl apply` of
#             the document with N+1 ports), wall time;
#   detach    `boostctl net detach`, wall time;
#   copies    the alternative boost v1 took, xdp mode only: a copy of
#             boost_xdp per port, loaded (and so verified) N times with
#             bpftool into a bpffs of the bench's own; its wall time, and
#             the ratio of boost's whole attach to it.
# Prints one table; seconds, median of BENCH_ROUNDS (default 1) rounds.
set -u
BOOST_BUILD=${BOOST_BUILD:-build}
[ "$(id -u)" -eq 0 ] || { echo "bench netctl: needs root" >&2; exit 1; }
. "$(dirname "$0")/../lib.sh"
. "$BOOST_TOP/tests/net/net.sh"

SIZES=${BENCH_NETCTL_N:-1 10 100}
ROUNDS=${BENCH_ROUNDS:-1}
require_tool ip jq awk

netns_new host >/dev/null && netns_new vms >/dev/null || fail "cannot create the namespaces"
HOST=$T-host VMS=$T-vms
max=0
for n in $SIZES; do [ "$n" -gt "$max" ] && max=$n; done
# One more than the largest N, for the port add.
net_veths v $((max + 1)) "$VMS"
net_boostd_start

# doc MODE N: N vNICs v1..vN in MODE.
doc() {
	awk -v mode="$1" -v n="$2" -v ns="$VMS" 'BEGIN {
		printf "{\"ports\": ["
		for (i = 1; i <= n; i++)
			printf "%s{\"name\": \"v%d\", \"mode\": \"%s\", \"mac\": \"02:00:00:%02x:%02x:01\", \"ips\": [\"198.51.%d.%d\"], \"sg\": 1, \"netns\": \"%s\"}",
				(i > 1 ? ", " : ""), i, mode, int(i / 256), i % 256, int(i / 250), i % 250 + 1, ns
		printf "],\n\"security_groups\": [{\"id\": 1, \"rules\": [{\"priority\": 1, \"dir\": \"in\", \"proto\": \"icmp\", \"cidr\": \"0.0.0.0/0\", \"action\": \"allow\"}]}]}\n"
	}'
}

now() { date +%s.%N; }
# elapsed START: seconds since START, 3 decimals.
elapsed() { awk -v s="$1" -v e="$(now)" 'BEGIN { printf "%.3f", e - s }'; }

# status_probe FILE: ask for status in a loop until FILE.stop exists; the
# slowest answer goes to FILE.
status_probe() {
	local worst=0 s t
	while [ ! -e "$1.stop" ]; do
		s=$(now)
		"$BOOSTCTL" status >/dev/null 2>&1
		t=$(elapsed "$s")
		worst=$(awk -v a="$worst" -v b="$t" 'BEGIN { print (b > a ? b : a) }')
	done
	echo "$worst" >"$1"
}

# copies N: seconds to load N copies of boost_xdp, each with fresh maps.
copies() {
	local s
	s=$(now)
	ip netns exec "$HOST" sh -c '
		mount -t bpf bpf /sys/fs/bpf || exit 1
		for i in $(seq "$1"); do
			bpftool prog load "$2" "/sys/fs/bpf/copy$i" type xdp || exit 1
			# libbpf cannot reuse a pinned devmap (ctl/net/net_pin.h): fresh maps each time.
			find /sys/fs/bpf -maxdepth 1 -name "boost_*" -delete
		done' sh "$1" "$BOOST_BUILD/bpf/net_xdp.bpf.o" >/dev/null 2>&1 || return 1
	elapsed "$s"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

declare -A res
for mode in xdp tc; do
	for n in $SIZES; do
		doc "$mode" "$n" >"$B/doc-$mode-$n.json"
		doc "$mode" $((n + 1)) >"$B/doc-$mode-$n-plus.json"
		for ((r = 0; r < ROUNDS; r++)); do
			"$BOOSTCTL" apply "$B/doc-$mode-$n.json" >/dev/null ||
				fail "apply of $n $mode ports failed"
			rm -f "$B/probe" "$B/probe.stop"
			status_probe "$B/probe" &
			probe=$!
			s=$(now)
			"$BOOSTCTL" net attach >/dev/null || fail "net attach of $n $mode ports failed"
			a=$(elapsed "$s")
			touch "$B/probe.stop"
			wait "$probe"
			s=$(now)
			"$BOOSTCTL" net upgrade >/dev/null || fail "net upgrade of $n $mode ports failed"
			u=$(elapsed "$s")
			s=$(now)
			"$BOOSTCTL" apply "$B/doc-$mode-$n-plus.json" >/dev/null ||
				fail "port add to $n $mode ports failed"
			p=$(elapsed "$s")
			s=$(now)
			"$BOOSTCTL" net detach >/dev/null || fail "net detach of $n $mode ports failed"
			d=$(elapsed "$s")
			res[$mode.$n.attach]+="$a "
			res[$mode.$n.status]+="$(cat "$B/probe") "
			res[$mode.$n.add]+="$p "
			res[$mode.$n.upgrade]+="$u "
			res[$mode.$n.detach]+="$d "
			if [ "$mode" = xdp ]; then
				c=$(copies "$n") || fail "loading $n copies of boost_xdp failed"
				res[$mode.$n.copies]+="$c "
			fi
		done
	done
done

echo "-- the network control plane, seconds (median of $ROUNDS)"
printf '%-5s %5s %9s %12s %9s %9s %9s %9s %14s\n' mode ports attach "status max" upgrade \
	"port add" detach copies "attach/copies"
for mode in xdp tc; do
	for n in $SIZES; do
		printf '%-5s %5d' "$mode" "$n"
		for k in attach status upgrade add detach copies; do
			v=$(tr ' ' '\n' <<<"${res[$mode.$n.$k]:-}" | grep . | median)
			[ "$k" = status ] && printf ' %12s' "$v" || printf ' %9s' "${v:--}"
			eval "m_$k=\${v:-}"
		done
		# shellcheck disable=SC2154 # set by the eval above
		[ -n "$m_copies" ] && printf ' %14s' "$(awk -v a="$m_attach" -v c="$m_copies" \
			'BEGIN { printf "%.2f", a / c }')"
		echo
	done
done
boostd_stop
