"""chalicelib.core.lazy: a lazy module loads once, on first use, from however many threads."""
from __future__ import annotations

import sys
import threading
from pathlib import Path

import pytest

from chalicelib.core.lazy import lazy_module

THREADS = 16
SLOW_MODULE = """
import time
from pathlib import Path

with open(Path(__file__).with_suffix(".executions"), "a") as executions:
    executions.write("executed\\n")
time.sleep(0.3)  # first uses from several threads overlap the import
ANSWER = 42
"""


@pytest.fixture
def slow_module(tmp_path, monkeypatch) -> tuple[str, Path]:
    name = f"slow_module_{tmp_path.name}"
    (tmp_path / f"{name}.py").write_text(SLOW_MODULE)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield name, tmp_path / f"{name}.executions"
    sys.modules.pop(name, None)


def test_concurrent_first_uses_all_see_the_loaded_module(slow_module):
    name, executions = slow_module
    module = lazy_module(name)
    assert not executions.exists()  # declaring it runs nothing
    barrier = threading.Barrier(THREADS)
    seen: list[object] = []

    def use() -> None:
        barrier.wait()
        try:
            seen.append(module.ANSWER)
        except Exception as exc:  # noqa: BLE001 - what a request thread would have raised
            seen.append(exc)

    threads = [threading.Thread(target=use) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert seen == [42] * THREADS
    assert executions.read_text().splitlines() == ["executed"]


def test_an_unknown_module_fails_at_declaration():
    with pytest.raises(ModuleNotFoundError):
        lazy_module("chalicelib.no_such_module")
