"""Twilio's own helper library signs and validates the requests that tests/twilio_signature.rs
sends here, so that the Rust side can check it agrees with Twilio's library.

Reads JSON from stdin: {"cases": [{"token": str, "url": str, "params": [[name, value], ...]}]}.
Writes JSON to stdout: one entry per case, in order:
  {"signature": str,              # RequestValidator(token).compute_signature(url, params)
   "checks": [{"signature": str, "valid": bool}, ...]}  # what validate() says of each candidate
"""

import json
import sys
from urllib.parse import urlparse

from twilio.request_validator import RequestValidator, add_port, remove_port


class MultiDict(dict):
    """The shape of Flask's MultiDict that RequestValidator knows: getall() gives every value
    of a repeated name. A plain dict could not carry repeated names."""

    def __init__(self, pairs):
        super().__init__()
        self.pairs = list(pairs)
        for name, value in self.pairs:
            self[name] = value

    def getall(self, name):
        return [value for key, value in self.pairs if key == name]


def candidates(token, url, params):
    """Signatures worth asking validate() about: right and wrong ones."""
    validator = RequestValidator(token)
    out = [
        validator.compute_signature(url, params),
        validator.compute_signature(url + "x", params),
        RequestValidator(token + "x").compute_signature(url, params),
        validator.compute_signature(url, MultiDict(params.pairs + [("Extra", "1")])),
        "",
        "not-a-signature",
    ]
    try:
        parsed = urlparse(url)
        out.append(validator.compute_signature(add_port(parsed), params))
        out.append(validator.compute_signature(remove_port(parsed), params))
        out.append(validator.compute_signature(parsed.geturl(), params))
    except ValueError:
        # A URL Python cannot parse (a bad port, say). The signatures above still test that
        # both sides reject it.
        pass
    return out


def validate(validator, url, params, signature):
    try:
        return validator.validate(url, params, signature)
    except ValueError:
        # validate() raises on a URL it cannot parse. A web framework would answer with an
        # error, which means the request was not accepted.
        return False


def main():
    request = json.load(sys.stdin)
    results = []
    for case in request["cases"]:
        token = case["token"]
        url = case["url"]
        params = MultiDict((name, value) for name, value in case["params"])
        validator = RequestValidator(token)
        results.append(
            {
                "signature": validator.compute_signature(url, params),
                "checks": [
                    {"signature": s, "valid": validate(validator, url, params, s)}
                    for s in candidates(token, url, params)
                ],
            }
        )
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
