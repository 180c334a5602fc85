#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# timeout: 150
#
# A host with many vNICs: `net attach` of 100 more XDP ports runs as a job,
# and boostd answers status while it runs ("attaching"); a change sent
# meanwhile waits for the job's end and is then applied; every XDP port,
# the uplink's too, runs one and the same boost_xdp program; the VMs talk.
. "$(dirname "$0")/../lib.sh"
. "$BOOST_TOP/tests/net/net.sh"
require_tool ping jq awk
N=100
net_topology
netns_new many >/dev/null || fail "cannot create the namespace of the extra VM ends"
MANY=$T-many
net_veths x "$N" "$MANY"
net_boostd_start

# The test's topology in xdp mode, and N more vNICs x1..xN (203.0.113.0/24
# and 198.51.100.0/24 hold them).
doc() {
	awk -v n="$1" -v vm1="$VM1" -v vm2="$VM2" -v tor="$TOR" -v many="$MANY" -v m1="$MAC1" -v m2="$MAC2" 'BEGIN {
		printf "{\"ports\": [{\"name\": \"up0\", \"kind\": \"uplink\", \"mode\": \"xdp\", \"netns\": \"%s\"}", tor
		printf ", {\"name\": \"vm1\", \"mode\": \"xdp\", \"mac\": \"%s\", \"ips\": [\"192.0.2.1\", \"2001:db8::1\"], \"sg\": 1, \"netns\": \"%s\"}", m1, vm1
		printf ", {\"name\": \"vm2\", \"mode\": \"xdp\", \"mac\": \"%s\", \"ips\": [\"192.0.2.2\", \"2001:db8::2\"], \"sg\": 1, \"netns\": \"%s\"}", m2, vm2
		for (i = 1; i <= n; i++)
			printf ", {\"name\": \"x%d\", \"mode\": \"xdp\", \"mac\": \"02:00:00:10:%02x:%02x\", \"ips\": [\"%s.%d\"], \"sg\": 1, \"netns\": \"%s\"}",
				i, int(i / 256), i % 256, (i <= 200 ? "203.0.113" : "198.51.100"), (i <= 200 ? i : i - 200), many
		printf "], \"security_groups\": [{\"id\": 1, \"rules\": [{\"priority\": 1, \"dir\": \"in\", \"proto\": \"icmp\", \"cidr\": \"0.0.0.0/0\", \"action\": \"allow\"}, {\"priority\": 2, \"dir\": \"in\", \"proto\": \"icmpv6\", \"cidr\": \"::/0\", \"action\": \"allow\"}]}]}\n"
	}'
}
doc "$N" >"$B/all.json"
doc $((N - 1)) >"$B/less.json"
jq -e . "$B/all.json" >/dev/null || fail "the test's document is not JSON"
expect_exit 0 "$BOOSTCTL" apply "$B/all.json"

"$BOOSTCTL" net attach >"$B/attach.out" 2>&1 &
attach=$!
# Status while the job runs: it says so, and lists no port's hook yet.
saw=
for ((try = 0; try < 500; try++)); do
	st=$("$BOOSTCTL" -j net status) || fail "status failed while attaching"
	if jq -e '.attaching == true' <<<"$st" >/dev/null; then
		saw=1
		break
	fi
	jq -e '.attached' <<<"$st" >/dev/null && break
done
[ -n "$saw" ] || fail "status never said 'attaching': boostd answered only after the attach: $st"
jq -e '.attached == false and all(.ports[]; has("attached") | not)' <<<"$st" >/dev/null ||
	fail "status during the attach: $st"
expect_exit 0 "$BOOSTCTL" net status
expect_match 'net: attaching' "$out"
# A change sent now waits for the job, then applies: x$N leaves.
expect_exit 0 "$BOOSTCTL" apply "$B/less.json"
wait "$attach" || fail "net attach failed: $(cat "$B/attach.out")"

st=$("$BOOSTCTL" -j net status)
jq -e --argjson n "$N" '.attached == true and (has("attaching") | not) and
	(.ports | length) == $n + 2 and all(.ports[]; .attached == "xdp")' <<<"$st" >/dev/null ||
	fail "after the attach and the kept apply: $st"
ip -n "$HOST" link show "x$N" | grep -q 'prog/xdp' && fail "x$N left but kept its program"
# One program on every port: the same id everywhere.
ids=$(ip -n "$HOST" -d -j link show | jq -r '.[] | select(.ifname != "lo" and .ifname != "x'"$N"'") |
	.xdp.prog.id // .xdp.attached[0].prog.id // "none"' | sort | uniq -c)
[ "$(wc -l <<<"$ids")" -eq 1 ] && ! grep -q none <<<"$ids" ||
	fail "the XDP ports do not all run one program: $ids"
ping_ok "$VM1" 192.0.2.2
ping_ok "$VM2" 2001:db8::1
ping_ok "$VM1" 192.0.2.254

# A second attach while attached is refused and changes nothing.
expect_exit 1 "$BOOSTCTL" net attach
expect_match 'already attached' "$err"
expect_exit 0 "$BOOSTCTL" net detach
ip -n "$HOST" -j link show | jq -e 'all(.[]; has("xdp") | not)' >/dev/null ||
	fail "a port kept its program after detach"
