"""`make run` compresses answers as API Gateway does in AWS, so clients see the same behaviour.

In AWS the function never compresses: API Gateway does, for a body of at least the REST API's
minimum compression size (`minimum_compression_size` in .chalice/config.json, which `chalice
package` writes onto the API), in the coding Accept-Encoding prefers among gzip and deflate
(q-values, `*`; no header, no compression). chalice local sends bodies as the function returns
them; this module gives its request handler the same rule, reading the same setting, and sends a
304 without the Content-Length and Content-Type chalice local would add (RFC 9110 15.4.5).
"""
from __future__ import annotations

import gzip
import json
import re
import zlib
from pathlib import Path

from chalice import local

ROOT = Path(__file__).resolve().parents[2]
# API Gateway's codings; on equal preference gzip, the one every client decodes.
CODINGS = {"gzip": lambda body: gzip.compress(body, mtime=0), "deflate": zlib.compress}
_ELEMENT = re.compile(r"^\s*([A-Za-z0-9!#$%&'*+.^_`|~-]+)\s*(?:;\s*q\s*=\s*([0-9.]+)\s*)?$")


def minimum_compression_size(stage: str) -> int | None:
    """The stage's setting, else the file's; None (never compress) when neither sets it."""
    config = json.loads((ROOT / ".chalice" / "config.json").read_text())
    return config.get("stages", {}).get(stage, {}).get("minimum_compression_size", config.get("minimum_compression_size"))


def chosen_coding(accept_encoding: str | None) -> str | None:
    """The coding to send, or None for the body as it is (RFC 9110 12.5.3)."""
    if accept_encoding is None:
        return None
    weights: dict[str, float] = {}
    for element in accept_encoding.split(","):
        match = _ELEMENT.match(element)
        if match is None:
            continue
        try:
            weights[match.group(1).lower()] = float(match.group(2) or 1)
        except ValueError:
            continue
    if "x-gzip" in weights:
        weights.setdefault("gzip", weights["x-gzip"])
    preference = {coding: weights.get(coding, weights.get("*", 0.0)) for coding in CODINGS}
    best = max(CODINGS, key=lambda coding: preference[coding])
    return best if preference[best] > 0 else None


def install(stage: str) -> None:
    """Makes chalice local's request handler compress by the stage's minimum compression size."""
    threshold = minimum_compression_size(stage)
    send = local.ChaliceRequestHandler._send_http_response

    def send_compressed(self, code, headers, body):
        if code == 304:
            self.send_response(code)
            self._send_headers({name: value for name, value in headers.items() if name.lower() != "content-type"})
            return
        if body is not None and threshold is not None:
            data = body if isinstance(body, bytes) else body.encode("utf-8")
            coding = chosen_coding(self.headers.get("Accept-Encoding")) if len(data) >= threshold else None
            if coding is not None:
                headers = {**headers, "Content-Encoding": coding}
                body = CODINGS[coding](data)
        send(self, code, headers, body)

    local.ChaliceRequestHandler._send_http_response = send_compressed
