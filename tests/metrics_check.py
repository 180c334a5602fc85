#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
#
# Check boostd's metrics (Prometheus text on stdin) with Prometheus's own
# Python parser (Debian's python3-prometheus-client), for the tests:
#
#   metrics_check.py net BEFORE AFTER     `boostctl -j net stats` taken
#                                         before and after the metrics
#   metrics_check.py disk BEFORE AFTER    the same of `storage stats`
#   metrics_check.py whole                only the format and the families
#
# Always: the text parses; every family has its HELP, a TYPE and its
# samples together (a family split in two would parse as two of one name);
# the families are exactly boost's; every histogram's buckets are
# cumulative, end in +Inf equal to _count, and it has _sum. With BEFORE
# and AFTER: every port (device) of AFTER has its series, with the label
# sets expected, and each value lies between its BEFORE and AFTER counter
# (the counters may move between the requests), the flow tables' too.
# Exit status 1 and a message on stderr for the first failure.
import os
import re
import json
import math
import sys

from prometheus_client.parser import text_string_to_metric_families

# The drop reasons from their one list, bpf/boost_shared.h's BOOST_DROP_REASONS.
DROP_REASONS = re.findall(r'^\tX\([A-Z_]+, "([a-z_]+)"\)', open(os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "bpf", "boost_shared.h")).read(), re.M)
PORT_COUNTERS = ["rx_packets", "rx_bytes", "tx_packets", "tx_bytes", "flooded", "to_stack",
                 "fragments"]
DISK_OPS = ["reads", "writes", "flushes", "discards", "write_zeroes"]
# The families by name as the parser names them (a counter without _total).
FAMILIES = {f"boost_port_{c}": "counter" for c in PORT_COUNTERS}
FAMILIES["boost_port_drops"] = "counter"
# The flow tables' counters, net stats' "flows": one series each, unlabelled.
FLOW_COUNTERS = ["created", "expired", "evicted", "flushed"]
FAMILIES.update({f"boost_flows_{c}": "counter" for c in FLOW_COUNTERS})
FAMILIES.update({f"boost_disk_{op}": "counter" for op in DISK_OPS})
FAMILIES.update({"boost_disk_read_bytes": "counter", "boost_disk_written_bytes": "counter",
                 "boost_disk_errors": "counter", "boost_disk_server_restarts": "counter",
                 "boost_disk_qos_delayed": "counter", "boost_disk_reconnects": "counter",
                 "boost_disk_latency_seconds": "histogram"})
FAMILIES.update({"boost_trust_floor": "gauge", "boost_trust_attested": "gauge",
                 "boost_trust_attestations": "counter",
                 "boost_trust_attestation_failures": "counter"})
# Only with the trust policy's "sets"; boost-xsk's only when a port has "dhcp".
OPTIONAL = {"boost_trust_set_fallback": "gauge", "boost_trust_set_none": "gauge",
            "boost_xsk_up": "gauge", "boost_xsk_restarts": "counter",
            "boost_xsk_received": "counter", "boost_xsk_requests": "counter",
            "boost_xsk_malformed": "counter", "boost_xsk_tx_full": "counter",
            "boost_xsk_kernel_dropped": "counter"}
LOG2_BUCKETS = 40  # ublk-target/blk_stats.h


def fail(msg):
    print(f"metrics_check: {msg}", file=sys.stderr)
    sys.exit(1)


def parse(text):
    fams = {}
    for f in text_string_to_metric_families(text):
        if f.name in fams:
            fail(f"family {f.name} is split: its samples are not together")
        fams[f.name] = f
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            name = line.split()[2]
            if not any(l.startswith(f"# HELP {name} ") for l in text.splitlines()):
                fail(f"family {name} has no HELP line")
    for name, f in fams.items():
        if not f.documentation:
            fail(f"family {name} has no HELP text")
    if set(fams) - set(OPTIONAL) != set(FAMILIES):
        fail(f"families {sorted((set(fams) - set(OPTIONAL)) ^ set(FAMILIES))} are extra or missing")
    for name, f in fams.items():
        want = FAMILIES.get(name) or OPTIONAL[name]
        if f.type != want:
            fail(f"family {name} is a {f.type}, expected a {want}")
    for kind in ("bpf", "exec"):
        series(fams, "boost_trust_floor", kind=kind)
        if f.type == "histogram":
            check_histogram(f)
    return fams


def check_histogram(f):
    by_series = {}
    for s in f.samples:
        key = tuple(sorted((k, v) for k, v in s.labels.items() if k != "le"))
        by_series.setdefault(key, []).append(s)
    for key, samples in by_series.items():
        buckets = [s for s in samples if s.name.endswith("_bucket")]
        sums = [s for s in samples if s.name.endswith("_sum")]
        counts = [s for s in samples if s.name.endswith("_count")]
        if len(sums) != 1 or len(counts) != 1:
            fail(f"{f.name}{dict(key)}: needs one _sum and one _count")
        les = [float(s.labels["le"]) for s in buckets]
        if les != sorted(les) or len(set(les)) != len(les) or les[-1] != math.inf:
            fail(f"{f.name}{dict(key)}: le not increasing to +Inf: {les}")
        values = [s.value for s in buckets]
        if any(b < a for a, b in zip(values, values[1:])):
            fail(f"{f.name}{dict(key)}: buckets not cumulative: {values}")
        if values[-1] != counts[0].value:
            fail(f"{f.name}{dict(key)}: +Inf {values[-1]} != _count {counts[0].value}")
        if sums[0].value < 0:
            fail(f"{f.name}{dict(key)}: negative _sum")


def series(fams, family, **labels):
    """The value of the one sample of @family with exactly @labels."""
    f = fams[family]
    found = [s for s in f.samples if s.labels == labels]
    if len(found) != 1:
        fail(f"{family}: {len(found)} series with labels {labels}, expected 1")
    return found[0].value


def between(what, v, lo, hi):
    if not lo <= v <= hi:
        fail(f"{what} = {v}, expected from {lo} to {hi} (the stats before and after)")


def check_net(fams, before, after):
    b = {p["name"]: p for p in before["ports"]}
    ports = [p["name"] for p in after["ports"]]
    for c in PORT_COUNTERS:
        have = sorted(s.labels["port"] for s in fams[f"boost_port_{c}"].samples)
        if have != sorted(ports):
            fail(f"boost_port_{c}_total: series of ports {have}, expected {sorted(ports)}")
    for p in after["ports"]:
        name = p["name"]
        for c in PORT_COUNTERS:
            between(f"boost_port_{c}_total{{port={name}}}",
                    series(fams, f"boost_port_{c}", port=name), b[name][c], p[c])
        for r in DROP_REASONS:
            between(f"boost_port_drops_total{{port={name},reason={r}}}",
                    series(fams, "boost_port_drops", port=name, reason=r),
                    b[name]["drops"][r], p["drops"][r])
    n = len(fams["boost_port_drops"].samples)
    if n != len(ports) * len(DROP_REASONS):
        fail(f"boost_port_drops_total: {n} series, expected one per port and reason")
    for c in FLOW_COUNTERS:
        between(f"boost_flows_{c}_total", series(fams, f"boost_flows_{c}"),
                before["flows"][c], after["flows"][c])


def check_disk(fams, before, after):
    b = {d["id"]: d for d in before}
    for d in after:
        dev = f"ublkb{d['id']}"
        o = b[d["id"]]
        for op in DISK_OPS:
            between(f"boost_disk_{op}_total{{dev={dev}}}", series(fams, f"boost_disk_{op}", dev=dev),
                    o["ios"][op], d["ios"][op])
        between(f"boost_disk_read_bytes_total{{dev={dev}}}",
                series(fams, "boost_disk_read_bytes", dev=dev), o["read_bytes"], d["read_bytes"])
        between(f"boost_disk_written_bytes_total{{dev={dev}}}",
                series(fams, "boost_disk_written_bytes", dev=dev), o["write_bytes"],
                d["write_bytes"])
        between(f"boost_disk_errors_total{{dev={dev}}}",
                series(fams, "boost_disk_errors", dev=dev), o["errors"], d["errors"])
        between(f"boost_disk_qos_delayed_total{{dev={dev}}}",
                series(fams, "boost_disk_qos_delayed", dev=dev), o["qos"]["delayed"],
                d["qos"]["delayed"])
        between(f"boost_disk_server_restarts_total{{dev={dev}}}",
                series(fams, "boost_disk_server_restarts", dev=dev),
                o["health"]["unsafe_shutdowns"], d["health"]["unsafe_shutdowns"])
        # The histogram: its buckets from the log2 ones, its sum the exact one.
        lat = [s for s in fams["boost_disk_latency_seconds"].samples if s.labels["dev"] == dev]
        buckets = [s for s in lat if s.name.endswith("_bucket")]
        if len(buckets) != LOG2_BUCKETS:
            fail(f"{dev}: {len(buckets)} latency buckets, expected {LOG2_BUCKETS}")
        for k, s in enumerate(buckets[:-1]):
            # Bucket k holds whole nanoseconds below 2^k: le is 2^k - 1 ns.
            if round(float(s.labels["le"]) * 1e9) != (1 << k) - 1:
                fail(f"{dev}: bucket {k} has le {s.labels['le']}, expected {(1 << k) - 1} ns")
            between(f"{dev} bucket le={s.labels['le']}", s.value,
                    sum(o["latency"]["log2_ns_histogram"][:k + 1]),
                    sum(d["latency"]["log2_ns_histogram"][:k + 1]))
        count = [s for s in lat if s.name.endswith("_count")][0].value
        between(f"{dev} latency count", count, sum(o["ios"].values()), sum(d["ios"].values()))
        total = [s for s in lat if s.name.endswith("_sum")][0].value
        between(f"{dev} latency sum (ns)", round(total * 1e9), o["latency"]["sum_ns"],
                d["latency"]["sum_ns"])
        # The sum lies within the bounds its buckets give (one sample, AFTER,
        # taken with no IO in flight): bucket k > 0 holds [2^(k-1), 2^k) ns.
        h, ns = d["latency"]["log2_ns_histogram"], d["latency"]["sum_ns"]
        lo = sum(n << (k - 1) for k, n in enumerate(h) if k > 0)
        hi = sum(n * ((1 << k) - 1) for k, n in enumerate(h[:-1]))
        if ns < lo or (h[-1] == 0 and ns > hi):
            fail(f"{dev}: latency sum {ns} ns outside its buckets' bounds {lo}..{hi}")


def main():
    if len(sys.argv) < 2 or sys.argv[1] not in ("net", "disk", "whole"):
        fail("usage: metrics_check.py {net BEFORE AFTER | disk BEFORE AFTER | whole} < TEXT")
    fams = parse(sys.stdin.read())
    if sys.argv[1] == "whole":
        return
    with open(sys.argv[2]) as f:
        before = json.load(f)
    with open(sys.argv[3]) as f:
        after = json.load(f)
    (check_net if sys.argv[1] == "net" else check_disk)(fams, before, after)


main()
