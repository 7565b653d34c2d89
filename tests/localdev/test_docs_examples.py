"""Every shell example in README.md and docs/ runs, as written, against a `make run` server.

The ```sh (or ```bash) blocks of a document run in order in one bash process from the repository's
root, so a variable set in one block (API, TOKEN, AUTH, CUSTOMER, ...) is there for the next; the
pages under docs/ continue where README.md's examples end (they start with its variables and shell
functions). Each curl states the status it gets, after the command, as `# -> 201`; the test
asserts each one. A block that cannot run here (it needs an AWS account, or starts the server) is
preceded by `<!-- not run by make test: <reason> -->`; those must stay few.
"""
from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from tests.localdev.conftest import LocalServer, fresh_clone, start_local_server

REPO = Path(__file__).resolve().parents[2]
SKIP_MARKER = re.compile(r"<!-- not run by make test: (?P<reason>[^>]+?) -->\s*$")
EXPECTED = re.compile(r"#\s*->\s*(\d{3})\b")
MAX_SKIPPED = 8
# README first: every other page continues from its examples.
DOCUMENTS = ["README.md", *sorted(str(p.relative_to(REPO)) for p in (REPO / "docs").rglob("*.md"))]
# Each curl reports its status on fd 3, so pipelines like `$(curl ... | field id)` are untouched.
# `set -e`: a command that fails (a client that cannot connect, a grep that finds nothing) stops the
# document there, so the statuses after it are missing and the test names the block.
PRELUDE = """set -e
exec 3>>"$STATUS_FILE"
curl() { command curl "$@" -w '%{stderr}%{http_code}\\n' 2>&3; }
"""


class Block:
    def __init__(self, document: str, line: int, text: str, skip_reason: str | None) -> None:
        self.document, self.line, self.text, self.skip_reason = document, line, text, skip_reason

    def expected_statuses(self) -> list[int]:
        """One `# -> NNN` per command line that calls curl (continuation lines joined)."""
        expected, logical = [], ""
        for line in self.text.splitlines():
            logical += line
            if line.rstrip().endswith("\\"):
                continue
            if re.search(r"(^|[\s($|])curl\s", logical.split("# ->")[0]):
                found = EXPECTED.search(logical)
                assert found, f"{self.document}:{self.line}: a curl without its `# -> <status>`: {logical.strip()}"
                expected.append(int(found.group(1)))
            logical = ""
        return expected

    def __repr__(self) -> str:
        return f"{self.document}:{self.line}"


def shell_blocks(document: str) -> list[Block]:
    lines = (REPO / document).read_text().splitlines()
    blocks, index = [], 0
    while index < len(lines):
        fence = re.match(r"^(\s*)```(sh|bash)\s*$", lines[index])
        if fence:
            start, indent = index, len(fence.group(1))
            end = next(n for n in range(start + 1, len(lines)) if lines[n].strip() == "```")
            marker = SKIP_MARKER.search(lines[start - 1]) if start else None
            text = "\n".join(line[indent:] for line in lines[start + 1:end])
            blocks.append(Block(document, start + 1, text, marker and marker.group("reason")))
            index = end
        index += 1
    return blocks


def test_blocks_that_do_not_run_are_marked_with_a_reason_and_few():
    skipped = [block for document in DOCUMENTS for block in shell_blocks(document) if block.skip_reason]
    assert len(skipped) <= MAX_SKIPPED, skipped
    assert all(len(block.skip_reason.split()) >= 3 for block in skipped), skipped


def test_every_curl_in_the_docs_states_its_status():
    for document in DOCUMENTS:
        for block in shell_blocks(document):
            if not block.skip_reason:
                block.expected_statuses()


def test_no_example_needs_jq():
    for document in DOCUMENTS:
        assert not re.search(r"\|\s*jq\b", (REPO / document).read_text()), document


@pytest.fixture(scope="module")
def docs_server(tmp_path_factory):
    """A fresh clone served as `make run` serves it: fresh state under its own .local/."""
    root = fresh_clone(tmp_path_factory.mktemp("clone"))
    # As after `make run`, the examples find the virtualenv (`.venv/bin/python`) in the checkout.
    (root / ".venv").symlink_to(Path(sys.executable).parents[1])
    server = start_local_server(root, tmp_path_factory.mktemp("log") / "make-run.log")
    try:
        yield server
    finally:
        server.stop()


def run_document(
    server: LocalServer, document: str, state: Path, work: Path
) -> tuple[list[tuple[Block, list[str], str]], int]:
    """Run the document's blocks in one bash; returns each block, the statuses its curls got and
    what it printed, and bash's exit status (a failing command after the last curl shows only there)."""
    blocks = [block for block in shell_blocks(document) if not block.skip_reason]
    script = [PRELUDE, f"[ -f {shlex.quote(str(state))} ] && . {shlex.quote(str(state))}"]
    for number, block in enumerate(blocks):
        script += [f"echo 'block {number}' >&3; echo '=== block {number}'", block.text]
    if document == "README.md":  # what the other pages continue from: its variables and functions
        names = sorted({name for b in blocks for name in re.findall(r"^\s*([A-Z_][A-Z0-9_]*)=", b.text, re.M)})
        script.append(f"{{ declare -p {' '.join(names)}; declare -f | sed '/^curl ()/,/^}}/d'; }} > {shlex.quote(str(state))}")
    statuses = work / (document.replace("/", "_") + ".statuses")
    completed = subprocess.run(
        ["bash", "-c", "\n".join(script)], cwd=server.root,
        env={"PATH": "/usr/local/bin:/usr/bin:/bin", "PORT": str(server.port), "STATUS_FILE": str(statuses),
             "WEBSOCKET_PORT": server.websocket_url.rsplit(":", 1)[1]},
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=600,
    )  # fmt: skip
    per_block: dict[int, list[str]] = {}
    for line in statuses.read_text().splitlines():
        if line.startswith("block "):
            current = int(line.split()[1])
            per_block[current] = []
        else:
            per_block[current].append(line)
    outputs = re.split(r"^=== block \d+$", completed.stdout, flags=re.M)[1:]
    ran = [(block, per_block.get(n, []), outputs[n] if n < len(outputs) else "") for n, block in enumerate(blocks)]
    return ran, completed.returncode


def test_every_shell_example_runs_and_gets_its_documented_status(docs_server, tmp_path):
    state = tmp_path / "readme-state.sh"
    failures = []
    for document in DOCUMENTS:
        ran, exit_status = run_document(docs_server, document, state, tmp_path)
        for block, statuses, output in ran:
            expected = [str(status) for status in block.expected_statuses()]
            if statuses != expected:
                failures.append(f"{block}: expected {expected}, got {statuses}\n{output[-1500:]}")
        if exit_status != 0 and ran:
            failures.append(f"{document}: its examples end with a failing command (exit {exit_status})\n{ran[-1][2][-1500:]}")
    assert not failures, "\n\n".join(failures)
