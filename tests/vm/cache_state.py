# SPDX-License-Identifier: GPL-2.0-only
# gdb -p PID -batch -x tests/vm/cache_state.py: the cache backend's state in
# each queue thread of a boost-ublk serving cache:..., for a hang's report
# (storage_guest.sh). Each request not idle: its phase, place, and the
# guards of the slot it is on; then the queue's waits, pumps and timers.
import gdb

for t in gdb.selected_inferior().threads():
    t.switch()
    f = gdb.newest_frame()
    while f is not None and f.name() != "blk_queue_thread":
        f = f.older()
    if f is None:
        continue
    f.select()
    try:
        q = gdb.parse_and_eval("(struct blk_queue *)arg")
        cq = gdb.parse_and_eval("(struct cache_queue *)((struct blk_queue *)arg)->backend_data")
        cd = q["dev"]["backend_data"].cast(gdb.lookup_type("struct cache_dev").pointer())
        depth = int(q["depth"])
        print("queue %d: wait_head %d wake %d timers %d flushing %d wb_active %d "
              "dirty_lines %d dirty_max %d mbuf_used %#x fifo_len %d ngates %d sync_inflight %d "
              "backend_inflight %d cmd_inflight %d" % (
                  int(q["id"]), int(cq["wait_head"]), int(cq["wake"]), int(cq["timers"]),
                  int(cq["flushing"]), int(cq["wb_active"]), int(cd["dirty_lines"]),
                  int(cd["dirty_max"]), int(cq["mbuf_used"]), int(cq["fifo_len"]),
                  int(cq["ngates"]), int(cq["sync_inflight"]), int(q["backend_inflight"]),
                  int(q["cmd_inflight"])))
        # The remote (nbd) as the cache's inner queue sees it.
        try:
            nq = cq["inner"]["backend_data"].cast(gdb.lookup_type("struct nbd_queue").pointer())
            print("  remote nbd: state %s poll_in %d poll_out %d inflight %d held_head %d "
                  "timers %d gen %d pfd %d" % (
                      str(nq["state"]), int(nq["poll_in"]), int(nq["poll_out"]),
                      int(nq["inflight"]), int(nq["held_head"]), int(nq["timers"]),
                      int(nq["gen"]), int(nq["pfd"])))
        except gdb.error as err:
            print("  remote: not nbd (%s)" % err)
        line = int(cd["sb"]["line"])
        nslots = int(cd["sb"]["nslots"])
        for tag in range(depth):
            r = cq["req"][tag]
            ph = str(r["phase"])
            if ph == "PH_IDLE":
                continue
            off, pos = int(r["off"]), int(r["pos"])
            s = ((off + pos) // line) % nslots
            e = cd["e"][s]
            print("  tag %d %s off %d len %d pos %d slot %d: busy %d users %d gated %d "
                  "line %d valid %#x dirty %#x" % (
                      tag, ph, off, int(r["len"]), pos, s, int(cq["busy"][s]),
                      int(cq["users"][s]), int(cq["gated"][s]), int(e["line"]),
                      int(e["valid"]), int(e["dirty"])))
    except gdb.error as err:
        print("queue thread %d: no cache state (%s)" % (t.num, err))
