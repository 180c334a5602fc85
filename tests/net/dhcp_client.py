#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""A DHCPv4 client of one message, for tests/net/test_net_dhcp.sh: sends
one frame out of IFACE (an AF_PACKET socket: the VM has no address) and
prints the server's answer to it, if one comes within a second:

    dhcp_client.py IFACE MAC KIND [ARG]

KIND (the frame's Ethernet source is MAC unless said otherwise):
    discover             a DISCOVER
    request ADDR         a REQUEST of ADDR (option 50), to any server
    chaddr OTHER_MAC     a DISCOVER whose client hardware address is OTHER_MAC
    ethsrc OTHER_MAC     a DISCOVER from the Ethernet source OTHER_MAC (and chaddr)
    truncated            a DISCOVER cut in the middle of its BOOTP header
    bad-option           a DISCOVER whose last option runs past the packet
    no-end               a DISCOVER as long as IFACE's MTU allows, options and no END
    udp-length           a DISCOVER whose UDP length claims more than the packet
    bad-cookie           a DISCOVER without the magic cookie
    flood N              N DISCOVERs, as fast as they go (answers not awaited)

Prints "reply TYPE YIADDR" (TYPE: offer, ack, nak) or "reply none".
"""
import select
import socket
import struct
import sys
import time

ETH_P_IP = 0x0800
TYPES = {1: "discover", 2: "offer", 3: "request", 5: "ack", 6: "nak"}


def mac_bytes(s):
    return bytes(int(x, 16) for x in s.split(":"))


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def bootp(chaddr, xid, options, cookie=True):
    b = struct.pack("!BBBBIHH4s4s4s4s", 1, 1, 6, 0, xid, 0, 0x8000, bytes(4), bytes(4),
                    bytes(4), bytes(4))
    b += chaddr + bytes(10) + bytes(64) + bytes(128)
    b += struct.pack("!I", 0x63825363 if cookie else 0)
    return b + options


def frame(src, payload, udp_len=None):
    """Ethernet, IPv4 0.0.0.0 -> 255.255.255.255, UDP 68 -> 67 around payload."""
    ulen = 8 + len(payload)
    udp = struct.pack("!HHHH", 68, 67, udp_len or ulen, 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0, bytes(4),
                     b"\xff" * 4)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return b"\xff" * 6 + src + struct.pack("!H", ETH_P_IP) + ip + udp


def opts(msg_type, extra=b""):
    return bytes([53, 1, msg_type]) + extra + bytes([55, 4, 1, 3, 6, 26, 255])


def answer(sock, xid, deadline):
    """The server's reply to xid: (type, yiaddr) or None."""
    while True:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([sock], [], [], left)[0]:
            return None
        f = sock.recv(4096)
        if len(f) < 14 + 20 + 8 + 240 or struct.unpack("!H", f[12:14])[0] != ETH_P_IP:
            continue
        ihl = (f[14] & 15) * 4
        udp = 14 + ihl
        if f[23] != 17 or struct.unpack("!HH", f[udp:udp + 4]) != (67, 68):
            continue
        b = f[udp + 8:]
        if b[0] != 2 or struct.unpack("!I", b[4:8])[0] != xid:
            continue
        o, t = b[240:], 0
        i = 0
        while i + 1 < len(o) and o[i] != 255:
            if o[i] == 0:
                i += 1
                continue
            if o[i] == 53:
                t = o[i + 2]
            i += 2 + o[i + 1]
        return TYPES.get(t, str(t)), socket.inet_ntoa(b[16:20])


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    iface, mac, kind = sys.argv[1], mac_bytes(sys.argv[2]), sys.argv[3]
    arg = sys.argv[4] if len(sys.argv) > 4 else None
    xid = int(time.monotonic() * 1000) & 0xFFFFFFFF
    src = chaddr = mac
    payload, udp_len = None, None
    if kind == "discover":
        payload = bootp(chaddr, xid, opts(1))
    elif kind == "request":
        payload = bootp(chaddr, xid, opts(3, bytes([50, 4]) + socket.inet_aton(arg)))
    elif kind == "chaddr":
        payload = bootp(mac_bytes(arg), xid, opts(1))
    elif kind == "ethsrc":
        src = chaddr = mac_bytes(arg)
        payload = bootp(chaddr, xid, opts(1))
    elif kind == "truncated":
        payload = bootp(chaddr, xid, opts(1))[:100]
    elif kind == "bad-option":
        payload = bootp(chaddr, xid, bytes([53, 1, 1, 12, 200]) + b"host")
    elif kind == "no-end":
        payload = bootp(chaddr, xid, bytes([53, 1, 1]))
        with open("/sys/class/net/%s/mtu" % iface) as f:
            mtu = int(f.read())
        payload += bytes([12, 4]) * ((mtu - 28 - len(payload)) // 2)
    elif kind == "udp-length":
        payload = bootp(chaddr, xid, opts(1))
        udp_len = 8 + len(payload) + 64
    elif kind == "bad-cookie":
        payload = bootp(chaddr, xid, opts(1), cookie=False)
    elif kind == "flood":
        payload = bootp(chaddr, xid, opts(1))
    else:
        sys.exit("dhcp_client.py: unknown kind %s" % kind)
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_IP))
    sock.bind((iface, 0))
    f = frame(src, payload, udp_len)
    if kind == "flood":
        for _ in range(int(arg)):
            sock.send(f)
        print("sent", arg)
        return
    sock.send(f)
    got = answer(sock, xid, time.monotonic() + 1.0)
    print("reply %s %s" % got if got else "reply none")


main()
