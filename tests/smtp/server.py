"""A real SMTP server for the notification tests: aiosmtpd (PyPI) on 127.0.0.1.

Usage: server.py PORT MAILDIR. Each message accepted is written to MAILDIR as <n>.eml with
its envelope in <n>.json. Recipients starting with "refused@" get 550 (a permanent refusal)
and "busy@" 451 (try later), so the tests see SMTP's own answers. Prints "ready" once
listening and stops when its standard input closes.
"""

import json
import os
import sys

from aiosmtpd.controller import Controller


class Saver:
    def __init__(self, maildir):
        self.maildir = maildir
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("refused@"):
            return "550 5.1.1 no such mailbox"
        if address.startswith("busy@"):
            return "451 4.3.0 mailbox busy, try later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        base = os.path.join(self.maildir, str(self.count))
        with open(base + ".eml", "wb") as f:
            f.write(envelope.original_content or envelope.content)
        with open(base + ".json", "w") as f:
            json.dump({"from": envelope.mail_from, "to": envelope.rcpt_tos}, f)
        return "250 Message accepted for delivery"


def main():
    port, maildir = int(sys.argv[1]), sys.argv[2]
    controller = Controller(Saver(maildir), hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    try:
        sys.stdin.read()
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
