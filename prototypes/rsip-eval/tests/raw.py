#!/usr/bin/env python3
"""Raw UDP probes against the eval UAS. usage: raw.py PORT [test...]"""
import socket, sys, time, random, re

PORT = int(sys.argv[1]); HOST = "127.0.0.1"
def sock(bind="127.0.0.1"):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind((bind, 0)); s.settimeout(0.3); return s
def recv_all(s, dur):
    out = []; end = time.time() + dur
    while time.time() < end:
        try:
            d, a = s.recvfrom(65535); out.append((round(time.time(), 3), d.decode(errors="replace")))
        except socket.timeout: pass
    return out
def first(m): return m.split("\r\n", 1)[0]
def req(method, s, callid=None, totag="", body="", extra="", cseq=1, branch=None, ctype="application/sdp"):
    lp = s.getsockname()
    callid = callid or f"{random.randint(0,1<<30)}@eval"
    branch = branch or f"z9hG4bK{random.randint(0,1<<40)}"
    hdr = (f"{method} sip:ivr@{HOST}:{PORT} SIP/2.0\r\nVia: SIP/2.0/UDP {lp[0]}:{lp[1]};branch={branch}\r\n"
           f"Max-Forwards: 70\r\nFrom: <sip:c@{lp[0]}>;tag=ft1\r\nTo: <sip:ivr@{HOST}>{totag}\r\n"
           f"Call-ID: {callid}\r\nCSeq: {cseq} {method}\r\nContact: <sip:c@{lp[0]}:{lp[1]}>\r\n{extra}")
    if body: hdr += f"Content-Type: {ctype}\r\n"
    return (hdr + f"Content-Length: {len(body)}\r\n\r\n" + body).encode(), callid, branch
SDP = lambda pts: ("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                   f"m=audio 6000 RTP/AVP {pts}\r\n")
def show(name, msgs):
    print(f"[{name}] " + (", ".join(f"{first(m)}" for _, m in msgs) if msgs else "NO RESPONSE"))

def t_simple(method, body=""):
    s = sock(); m, _, _ = req(method, s, body=body, ctype="text/plain"); s.sendto(m, (HOST, PORT)); r = recv_all(s, 1.0); show(method, r); return r
def t_garbage():
    s = sock(); s.sendto(b"GARBAGE\r\n\r\n", (HOST, PORT)); show("GARBAGE", recv_all(s, 1.0))
def t_unknown():
    s = sock(); m, _, _ = req("FOO", s); s.sendto(m, (HOST, PORT)); show("FOO (unknown method)", recv_all(s, 1.0))
def t_bad_header():
    s = sock(); m, _, _ = req("OPTIONS", s, extra="CSeq-Bogus\r\n"); m = m.replace(b"CSeq: 1 OPTIONS", b"CSeq: abc OPTIONS"); s.sendto(m, (HOST, PORT)); show("OPTIONS with bad CSeq", recv_all(s, 1.0))
def t_no_contact():
    s = sock(); m, _, _ = req("INVITE", s, body=SDP("0")); m = re.sub(rb"Contact: [^\r]*\r\n", b"", m); s.sendto(m, (HOST, PORT)); show("INVITE without Contact", recv_all(s, 1.5))
def t_488():
    s = sock(); m, cid, br = req("INVITE", s, body=SDP("18")); s.sendto(m, (HOST, PORT)); r = recv_all(s, 1.0); show("INVITE G729-only", r)
def t_cancel_unknown():
    s = sock(); m, _, _ = req("CANCEL", s); s.sendto(m, (HOST, PORT)); show("CANCEL unknown tx", recv_all(s, 1.0))
def t_bye_unknown():
    s = sock(); m, _, _ = req("BYE", s, totag=";tag=nosuch", cseq=2); s.sendto(m, (HOST, PORT)); show("BYE unknown dialog", recv_all(s, 1.0))
def t_info_unknown():
    s = sock(); m, _, _ = req("INFO", s, totag=";tag=nosuch", cseq=2, body="Signal=1\r\n"); s.sendto(m, (HOST, PORT)); show("INFO unknown dialog", recv_all(s, 1.0))
def t_invite_retrans():
    # resend identical INVITE while server is proceeding: expect the last provisional again
    s = sock(); m, cid, br = req("INVITE", s, body=SDP("0 101")); s.sendto(m, (HOST, PORT))
    r = recv_all(s, 0.6); s.sendto(m, (HOST, PORT)); r += recv_all(s, 0.4)
    show("INVITE + retransmitted INVITE", r)
    return s, r
def t_no_ack(dur):
    s = sock(); m, cid, br = req("INVITE", s, body=SDP("0 101")); t0 = time.time(); s.sendto(m, (HOST, PORT))
    r = recv_all(s, dur)
    ok = [round(t - t0, 2) for t, x in r if first(x).startswith("SIP/2.0 200")]
    other = [(round(t - t0, 2), first(x)) for t, x in r if not first(x).startswith("SIP/2.0 200")]
    print(f"[INVITE, never ACK] 200 OK sent at t={ok}; other={other}")
def t_503(bind):
    s = sock(bind); m, _, _ = req("INVITE", s, body=SDP("0")); s.sendto(m, (HOST, PORT)); r = recv_all(s, 1.0)
    show(f"INVITE from {bind}", r)
    for _, x in r:
        ra = re.search(r"Retry-After: [^\r]*", x)
        if ra: print("   ", ra.group(0))
    if r and not first(r[-1][1]).startswith("SIP/2.0 1"):
        ack = m.replace(b"INVITE sip", b"ACK sip", 1).replace(b"CSeq: 1 INVITE", b"CSeq: 1 ACK"); s.sendto(ack, (HOST, PORT))

tests = sys.argv[2:] or ["basic"]
for t in tests:
    if t == "basic":
        t_simple("OPTIONS"); t_garbage(); t_unknown(); t_bad_header(); t_simple("PUBLISH"); t_simple("MESSAGE", "hi")
        t_simple("REGISTER"); t_simple("SUBSCRIBE"); t_bye_unknown(); t_info_unknown(); t_cancel_unknown()
        t_488(); t_no_contact(); t_simple("OPTIONS")
    elif t == "retrans": t_invite_retrans()
    elif t.startswith("noack"): t_no_ack(float(t.split(":")[1]))
    elif t.startswith("503"): t_503(t.split(":")[1])
