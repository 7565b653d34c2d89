"""`chalice local` with a listen backlog that absorbs bursts of concurrent requests.

chalice.local's server keeps socketserver's backlog of 5, so a burst of more simultaneous
connections than that gets connection resets. This runs chalice's own CLI with a deeper backlog:
options, autoreload and output stay `chalice local`'s.
`python -m chalicelib.localdev.chalice_local local --port 8000` takes `chalice`'s arguments.
"""
from __future__ import annotations

import sys

from chalice import local
from chalice.cli import cli

# Linux caps a listen backlog at net.core.somaxconn (4096 on current kernels, 128 on old ones).
LISTEN_BACKLOG = 128


def main() -> int:
    local.ThreadedHTTPServer.request_queue_size = LISTEN_BACKLOG
    arguments = sys.argv[1:]
    # chalice's autoreloader starts its worker process as sys.argv: make that this module again.
    sys.argv = [sys.executable, "-m", __spec__.name, *arguments]
    return cli.main(args=arguments, prog_name="chalice", obj={})


if __name__ == "__main__":
    sys.exit(main())
