"""Vendor Swagger UI (the npm package swagger-ui-dist) for GET /docs: `make docs-ui`.

The files the page needs are committed under chalicelib/platform/docs_ui/swagger-ui-dist/ with
`vendored.json`: the package, its version, the tarball's integrity as the npm registry publishes
it, and a SHA-256 per file (tests/api/test_docs_page.py checks the files against it). Committed,
not installed: a clone serves /docs with no Node.js and no network, `make run` and the package
build included, and the Lambda zip holds only these files (about 0.5 MB zipped) instead of the
package's 12 MB of maps and alternative bundles.

    python infra/vendor_docs_ui.py                   re-fetch the pinned version, check it, rewrite
    python infra/vendor_docs_ui.py --version 5.36.0  move to another version (review the diff)

The tarball comes from `npm pack` (the ordinary client, its registry and cache). For the pinned
version its SHA-512 must equal the integrity recorded in vendored.json, so a tarball that changed
since it was pinned is refused; a new version records the registry's integrity after checking the
downloaded bytes against it.
"""
from __future__ import annotations

import argparse
import base64
import hashlib
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

PACKAGE = "swagger-ui-dist"
DEST = Path(__file__).resolve().parents[1] / "chalicelib" / "platform" / "docs_ui" / PACKAGE
MANIFEST = DEST / "vendored.json"
# What the page loads, and the licences that must travel with it (Apache-2.0: LICENSE and NOTICE;
# the bundle's third-party notices).
FILES = ("swagger-ui-bundle.js", "swagger-ui.css", "LICENSE", "NOTICE", "swagger-ui-bundle.js.LICENSE.txt")


class VendorError(Exception):
    pass


def sri_sha512(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def npm_pack(version: str, workdir: Path) -> tuple[bytes, str]:
    """The package's tarball and the integrity the registry states for it."""
    out = subprocess.run(
        ["npm", "pack", f"{PACKAGE}@{version}", "--json", "--pack-destination", str(workdir)],
        cwd=workdir, check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    (packed,) = json.loads(out)
    return (workdir / packed["filename"]).read_bytes(), packed["integrity"]


def vendor(version: str | None) -> dict:
    pinned = json.loads(MANIFEST.read_text()) if MANIFEST.exists() else None
    version = version or (pinned and pinned["version"])
    if not version:
        raise VendorError("nothing pinned yet: pass --version")
    with tempfile.TemporaryDirectory(prefix="docs-ui-") as tmp:
        tarball, stated = npm_pack(version, Path(tmp))
        actual = sri_sha512(tarball)
        if actual != stated:
            raise VendorError(f"{PACKAGE}@{version}: downloaded {actual}, registry states {stated}")
        if pinned and pinned["version"] == version and pinned["integrity"] != actual:
            raise VendorError(f"{PACKAGE}@{version} changed since it was pinned: {actual} != {pinned['integrity']}")
        archive_path = Path(tmp) / "package.tgz"
        archive_path.write_bytes(tarball)
        with tarfile.open(archive_path) as archive:
            contents = {name: archive.extractfile(f"package/{name}").read() for name in FILES}
    DEST.mkdir(parents=True, exist_ok=True)
    for stale in DEST.iterdir():
        if stale.name not in FILES and stale != MANIFEST:
            stale.unlink()
    for name, data in contents.items():
        (DEST / name).write_bytes(data)
    manifest = {
        "package": PACKAGE,
        "version": version,
        "integrity": actual,
        "files": {name: hashlib.sha256(data).hexdigest() for name, data in sorted(contents.items())},
    }
    MANIFEST.write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--version", help=f"the {PACKAGE} version to vendor (default: the pinned one)")
    try:
        manifest = vendor(parser.parse_args().version)
    except (VendorError, subprocess.CalledProcessError) as error:
        print(f"vendor_docs_ui: {error}", file=sys.stderr)
        return 1
    print(f"{PACKAGE}@{manifest['version']} {manifest['integrity']} -> {DEST}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
