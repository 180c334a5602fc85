#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# timeout: 120
#
# The ports' counters as Prometheus metrics: `boostctl metrics` parses with
# Prometheus's own parser (python3-prometheus-client), has every family
# with HELP and TYPE, one series per port (and per drop reason), values
# that agree with `boostctl -j net stats`, and a spoofed ping shows in
# reason="spoof". The metrics file (boostd.json's metrics_file, every 1 s
# here) appears, parses, is rewritten by rename (a new inode each time,
# never a partial file, no .tmp left) and readable by node_exporter's user.
. "$(dirname "$0")/../lib.sh"
. "$BOOST_TOP/tests/net/net.sh"
PY=/usr/bin/python3
CHECK=$BOOST_TOP/tests/metrics_check.py
require_tool ping
"$PY" -c 'import prometheus_client.parser' 2>/dev/null ||
	skip "Debian's python3-prometheus-client is not installed (scripts/install-deps)"
net_topology
net_boostd_setup
prom=$B/textfile/boost.prom
mkdir "$B/textfile"
jq --arg f "$prom" '. + {metrics_file: $f, metrics_interval: 1}' "$BOOSTD_CONF" >"$B/conf.json" &&
	mv "$B/conf.json" "$BOOSTD_CONF" || fail "cannot add the metrics keys to $BOOSTD_CONF"
net_boostd_run

doc=$B/network.json
net_network >"$doc"
expect_exit 0 "$BOOSTCTL" apply "$doc"
expect_exit 0 "$BOOSTCTL" net attach
ping_ok "$VM1" 192.0.2.2
ping_ok "$TOR" 192.0.2.1
ping_ok "$VM2" 2001:db8::1
# A source vm1 does not own: dropped as spoof.
ip -n "$VM1" addr add 192.0.2.99/24 dev eth0
ping_fails "$VM1" 192.0.2.2 -I 192.0.2.99
ip -n "$VM1" addr del 192.0.2.99/24 dev eth0

# metrics against net stats taken just before and just after: each value
# lies between the two (ARP may still move a counter in between).
"$BOOSTCTL" -j net stats >"$B/before.json" || fail "net stats failed"
"$BOOSTCTL" metrics >"$B/metrics.txt" || fail "boostctl metrics failed"
"$BOOSTCTL" -j net stats >"$B/after.json" || fail "net stats failed"
"$PY" "$CHECK" net "$B/before.json" "$B/after.json" <"$B/metrics.txt" ||
	fail "boostctl metrics does not check: $(cat "$B/metrics.txt")"
grep -q '^boost_port_drops_total{port="vm1",reason="spoof"} [1-9]' "$B/metrics.txt" ||
	fail "the spoofed pings are not in the metrics: $(grep spoof "$B/metrics.txt")"
grep -q '^boost_port_rx_packets_total{port="up0"} [1-9]' "$B/metrics.txt" ||
	fail "up0 received nothing: $(grep rx_packets "$B/metrics.txt")"
# No device here: the disk families are there, without series.
grep -q '^# TYPE boost_disk_latency_seconds histogram$' "$B/metrics.txt" ||
	fail "no disk families: $(cat "$B/metrics.txt")"
# -j: the same text in {format, text}.
"$BOOSTCTL" -j metrics | jq -e '.format == "prometheus text 0.0.4" and (.text | startswith("# HELP "))' \
	>/dev/null || fail "boostctl -j metrics: $("$BOOSTCTL" -j metrics | head -c 300)"
expect_exit 2 "$BOOSTCTL" metrics show extra
expect_match "unexpected argument 'extra'" "$err"

# The metrics file: written at start, then every second.
for ((i = 0; i < 50; i++)); do
	[ -s "$prom" ] && break
	sleep 0.2
done
[ -s "$prom" ] || fail "boostd did not write $prom: $(boostd_log)"
[ "$(command stat -c %a "$prom")" = 644 ] || fail "$prom has mode $(command stat -c %a "$prom"), not 644"
# Each write replaces the file by rename: its inode changes, and whatever a
# reader opens is whole (it parses and has the last family).
seen=$(command stat -c %i "$prom")
changes=0
for ((i = 0; i < 40 && changes < 3; i++)); do
	cp "$prom" "$B/read.prom"
	"$PY" "$CHECK" whole <"$B/read.prom" || fail "a read of $prom does not check: $(cat "$B/read.prom")"
	tail -n 1 "$B/read.prom" | grep -q '^boost_disk_server_restarts_total\|^# TYPE boost_disk_server_restarts_total' ||
		fail "$prom was read cut short: $(tail -n 3 "$B/read.prom")"
	ino=$(command stat -c %i "$prom")
	[ "$ino" = "$seen" ] || changes=$((changes + 1))
	seen=$ino
	sleep 0.25
done
[ "$changes" -ge 3 ] || fail "$prom was not replaced every second ($changes new inodes in 10 s)"
[ -z "$(ls "$B/textfile" | grep -v '^boost.prom$')" ] ||
	fail "the metrics directory holds more than the file: $(ls -a "$B/textfile")"
# The file's counters agree with net stats: a write that shows after the
# first stats read its counters after it (boostd serves one thing at a time).
"$BOOSTCTL" -j net stats >"$B/before.json"
seen=$(command stat -c %i "$prom")
for ((i = 0; i < 50; i++)); do
	[ "$(command stat -c %i "$prom")" != "$seen" ] && break
	sleep 0.2
done
cp "$prom" "$B/file.prom"
"$BOOSTCTL" -j net stats >"$B/after.json"
"$PY" "$CHECK" net "$B/before.json" "$B/after.json" <"$B/file.prom" ||
	fail "$prom does not agree with net stats: $(cat "$B/file.prom")"

# A directory that cannot be written: logged once, boostd serves on; and
# when it can again, the file comes back.
rm -rf "$B/textfile"
sleep 2.5
[ "$(boostd_log | grep -c "metrics file $prom: No such file or directory")" = 1 ] ||
	fail "the failing write is not logged once: $(boostd_log | grep metrics)"
expect_exit 0 "$BOOSTCTL" status
mkdir "$B/textfile"
for ((i = 0; i < 50; i++)); do
	[ -s "$prom" ] && break
	sleep 0.2
done
[ -s "$prom" ] || fail "boostd did not write $prom again"
boostd_log | grep -q "metrics file $prom: written again" || fail "the recovery is not logged"
boostd_stop

# The keys' limits are boostd's to refuse.
jq '.metrics_interval = 0' "$BOOSTD_CONF" >"$B/bad.json"
expect_exit 1 "$BOOST_BUILD/boostd" --foreground --config "$B/bad.json"
expect_match "key 'metrics_interval': expected an integer from 1 to 86400" "$err"
jq '.metrics_file = ""' "$BOOSTD_CONF" >"$B/bad.json"
expect_exit 1 "$BOOST_BUILD/boostd" --foreground --config "$B/bad.json"
expect_match "key 'metrics_file': empty or longer than" "$err"
exit 0
