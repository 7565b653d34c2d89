"""`chalice local` with a listen backlog that absorbs bursts of concurrent requests, a file
watcher that leaves the local state alone, a quiet access log, and API Gateway's compression
(chalicelib/localdev/compression.py).

chalice.local's server keeps socketserver's backlog of 5, so a burst of more simultaneous
connections than that gets connection resets. Its autoreloader restarts the worker when any file
under the project changes, and the local data (LOCAL_STATE_DIR, .local/) changes on every write.
Its access log would repeat the app's own line per request (chalicelib/observability.py), so it
shows only with LOG_LEVEL=DEBUG. Otherwise options, autoreload and output stay `chalice local`'s.
`python -m chalicelib.localdev.chalice_local local --port 8000` takes `chalice`'s arguments.
"""
from __future__ import annotations

import logging
import os
import sys

from chalice import local
from chalice.cli import cli
from chalice.cli.filewatch import stat
from chalice.utils import OSUtils

from chalicelib.localdev import compression

# Linux caps a listen backlog at net.core.somaxconn (4096 on current kernels, 128 on old ones).
LISTEN_BACKLOG = 128


class ProjectFiles(OSUtils):
    """The files chalice's stat watcher polls: the project's, without the directories in `unwatched`."""

    def __init__(self, unwatched: set[str]) -> None:
        self.unwatched = unwatched

    def walk(self, path, followlinks=False):
        for directory, subdirectories, files in os.walk(path, followlinks=followlinks):
            subdirectories[:] = [d for d in subdirectories if os.path.realpath(os.path.join(directory, d)) not in self.unwatched]
            yield directory, subdirectories, files


def main() -> int:
    local.ThreadedHTTPServer.request_queue_size = LISTEN_BACKLOG
    state = os.environ.get("LOCAL_STATE_DIR")
    if state:
        watcher_init = stat.StatFileWatcher.__init__
        files = ProjectFiles({os.path.realpath(state)})
        stat.StatFileWatcher.__init__ = lambda self, osutils=None: watcher_init(self, osutils or files)
    if os.environ.get("POWERTOOLS_LOG_LEVEL", "INFO").upper() != "DEBUG":
        local.ChaliceRequestHandler.log_message = lambda self, *args: None
        for library in ("botocore", "pynamodb"):  # "Found credentials in environment variables", ...
            logging.getLogger(library).setLevel(logging.WARNING)
    arguments = sys.argv[1:]
    compression.install(arguments[arguments.index("--stage") + 1] if "--stage" in arguments else "dev")
    # chalice's autoreloader starts its worker process as sys.argv: make that this module again.
    sys.argv = [sys.executable, "-m", __spec__.name, *arguments]
    return cli.main(args=arguments, prog_name="chalice", obj={})


if __name__ == "__main__":
    sys.exit(main())
