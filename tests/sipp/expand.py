#!/usr/bin/env python3
"""Fill a SIPp scenario's key placeholders with the keys a call presses.

    expand.py SCENARIO OUT --via rfc2833|info [--pcaps DIR] [--work DIR] [--gap MS] NAME=KEYS...

A line `<!-- keys:NAME -->` in SCENARIO becomes one press per key of KEYS (digits, * and #),
each followed by a pause of --gap milliseconds:

- rfc2833: `<exec play_pcap_audio=…/>` of the capture SIPp ships for the key
  (/usr/share/sip-tester/dtmf_2833_<key>.pcap: telephone-event, payload type 101);
- info: an in-dialog INFO with an application/dtmf-relay body, and its 200.

Unexpanded, a scenario is still valid (the placeholders are comments).

SIPp plays a capture as recorded: every play of dtmf_2833_0.pcap has the same RTP timestamp.
RFC 4733 identifies an event by its timestamp, so a receiver rightly takes two plays of one
capture in a row for one key. A key pressed twice in a row is therefore played the second
time from a copy of the capture with a later timestamp and sequence numbers (written into
--work), as a real phone would send it.
"""

import argparse
import os
import re
import struct
import sys

PCAP_NAME = {"*": "star", "#": "pound"}


def pcap_for(key, pcaps):
    return os.path.join(pcaps, "dtmf_2833_%s.pcap" % PCAP_NAME.get(key, key))


def shifted_copy(src, dst, ts_shift, seq_shift):
    """`src` with every RTP timestamp and sequence number moved on (UDP checksums cleared)."""
    data = bytearray(open(src, "rb").read())
    magic = struct.unpack("<I", data[:4])[0]
    if magic not in (0xA1B2C3D4, 0xA1B23C4D):
        sys.exit("%s: not a little-endian pcap file" % src)
    link = struct.unpack("<I", data[20:24])[0]
    l2 = {1: 14, 113: 16, 0: 4}.get(link)
    if l2 is None:
        sys.exit("%s: link type %d not handled" % (src, link))
    off = 24
    while off + 16 <= len(data):
        incl = struct.unpack("<I", data[off + 8 : off + 12])[0]
        pkt = off + 16
        ip = pkt + l2
        ihl = (data[ip] & 0x0F) * 4
        udp = ip + ihl
        rtp = udp + 8
        data[udp + 6 : udp + 8] = b"\x00\x00"
        seq, ts = struct.unpack(">HI", data[rtp + 2 : rtp + 8])
        data[rtp + 2 : rtp + 8] = struct.pack(
            ">HI", (seq + seq_shift) & 0xFFFF, (ts + ts_shift) & 0xFFFFFFFF
        )
        off = pkt + incl
    open(dst, "wb").write(bytes(data))


class Rfc2833:
    def __init__(self, pcaps, work):
        self.pcaps = pcaps
        self.work = work
        self.last = None
        self.copies = 0

    def press(self, key, gap):
        path = pcap_for(key, self.pcaps)
        if not os.path.exists(path):
            sys.exit("no capture for key %r: %s" % (key, path))
        if path == self.last:
            self.copies += 1
            copy = os.path.join(
                self.work, "dtmf_2833_%s.again%d.pcap" % (PCAP_NAME.get(key, key), self.copies)
            )
            shifted_copy(path, copy, 8000 * 5 * self.copies, 500 * self.copies)
            path = copy
        self.last = path
        return (
            '  <nop><action><exec play_pcap_audio="%s"/></action></nop>\n'
            '  <pause milliseconds="%d"/>\n' % (path, gap)
        )


class Info:
    def press(self, key, gap):
        return """  <send retrans="500">
    <![CDATA[
      INFO [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      [routes]
      From: <sip:[$caller]@[local_ip]:[local_port]>;tag=[pid]SIPpTag[call_number]
      To: <sip:[$line]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: [cseq] INFO
      Max-Forwards: 70
      Content-Type: application/dtmf-relay
      Content-Length: [len]

      Signal=%s
      Duration=160
    ]]>
  </send>
  <recv response="200"/>
  <pause milliseconds="%d"/>
""" % (key, gap)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("scenario")
    p.add_argument("out")
    p.add_argument("--via", choices=["rfc2833", "info"], required=True)
    p.add_argument("--pcaps", default="/usr/share/sip-tester")
    p.add_argument("--work", default=None)
    p.add_argument("--gap", type=int, default=350)
    p.add_argument("keys", nargs="*")
    a = p.parse_intermixed_args()
    groups = {}
    for kv in a.keys:
        name, _, keys = kv.partition("=")
        if not re.fullmatch(r"[0-9*#]*", keys):
            sys.exit("%s: keys are digits, * and #" % kv)
        groups[name] = keys
    presser = Rfc2833(a.pcaps, a.work or os.path.dirname(os.path.abspath(a.out))) if a.via == "rfc2833" else Info()
    out = []
    used = set()
    for line in open(a.scenario, encoding="iso-8859-1"):
        m = re.fullmatch(r"\s*<!--\s*keys:(\w+)\s*-->\s*", line)
        if not m:
            out.append(line)
            continue
        name = m.group(1)
        if name not in groups:
            sys.exit("%s: no keys given for placeholder %s" % (a.scenario, name))
        used.add(name)
        out.append("  <!-- %s: %s -->\n" % (name, groups[name]))
        for key in groups[name]:
            out.append(presser.press(key, a.gap))
    unused = set(groups) - used
    if unused:
        sys.exit("%s: no placeholder for %s" % (a.scenario, ", ".join(sorted(unused))))
    open(a.out, "w", encoding="iso-8859-1").write("".join(out))


if __name__ == "__main__":
    main()
