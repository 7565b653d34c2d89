"""A fresh clone holds no dangling symlink. `chalice local`'s file watcher dies on one (make run
then prints a traceback and never reloads), and a tool that walks the tree trips over it."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path, PurePosixPath

REPO = Path(__file__).resolve().parents[2]


def _git(*args: str) -> bytes:
    return subprocess.run(["git", *args], cwd=REPO, capture_output=True, check=True).stdout


def test_every_tracked_symlink_points_at_something_tracked():
    staged = [entry.split("\t", 1) for entry in filter(None, _git("ls-files", "-s", "-z").decode().split("\0"))]
    paths = {path for _, path in staged}
    directories = {str(parent) for path in paths for parent in PurePosixPath(path).parents}
    dangling = []
    for meta, path in staged:
        mode, blob, _ = meta.split()
        if mode == "120000":  # a symlink; its blob is the target
            target = _git("cat-file", "blob", blob).decode()
            resolved = os.path.normpath(os.path.join(os.path.dirname(path), target))
            if resolved not in paths and resolved not in directories:
                dangling.append(f"{path} -> {target}")
    assert dangling == []
