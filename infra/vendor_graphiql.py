"""Vendor GraphiQL (npm graphiql, with the React it runs on) for GET /graphql: `make graphiql`.

As Swagger UI for /docs (infra/vendor_docs_ui.py): the files the page loads are committed under
chalicelib/platform/docs_ui/graphiql/ with `vendored.json`, each package's version and tarball
integrity as the npm registry publishes it and a SHA-256 per file (tests/api/test_graphiql_page.py
checks the files against it). No CDN, no Node.js at run time.

graphiql 3 is the last major with a browser bundle (graphiql.min.js, a UMD script taking React from
the page); 4 and later ship ES modules for a bundler. React 18 is the last with UMD builds.

    python infra/vendor_graphiql.py     re-fetch the pinned versions, check them, rewrite
"""
from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from vendor_docs_ui import VendorError, sri_sha512  # noqa: E402

DEST = Path(__file__).resolve().parents[1] / "chalicelib" / "platform" / "docs_ui" / "graphiql"
MANIFEST = DEST / "vendored.json"
# package -> (version, {file in the package: name here}); the licences travel with the code.
PACKAGES = {
    "graphiql": ("3.8.3", {"graphiql.min.js": "graphiql.min.js", "graphiql.min.css": "graphiql.min.css", "LICENSE": "LICENSE.graphiql"}),
    "react": ("18.3.1", {"umd/react.production.min.js": "react.production.min.js", "LICENSE": "LICENSE.react"}),
    "react-dom": ("18.3.1", {"umd/react-dom.production.min.js": "react-dom.production.min.js", "LICENSE": "LICENSE.react-dom"}),
}


def _pack(package: str, version: str, workdir: Path) -> tuple[bytes, str]:
    out = subprocess.run(
        ["npm", "pack", f"{package}@{version}", "--json", "--pack-destination", str(workdir)],
        cwd=workdir, check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    (packed,) = json.loads(out)
    return (workdir / packed["filename"]).read_bytes(), packed["integrity"]


def vendor() -> dict:
    pinned = json.loads(MANIFEST.read_text())["packages"] if MANIFEST.exists() else {}
    packages, contents = {}, {}
    with tempfile.TemporaryDirectory(prefix="graphiql-") as tmp:
        for package, (version, files) in PACKAGES.items():
            tarball, stated = _pack(package, version, Path(tmp))
            actual = sri_sha512(tarball)
            if actual != stated:
                raise VendorError(f"{package}@{version}: downloaded {actual}, registry states {stated}")
            was = pinned.get(package)
            if was and was["version"] == version and was["integrity"] != actual:
                raise VendorError(f"{package}@{version} changed since it was pinned: {actual} != {was['integrity']}")
            packages[package] = {"version": version, "integrity": actual}
            archive_path = Path(tmp) / f"{package}.tgz"
            archive_path.write_bytes(tarball)
            with tarfile.open(archive_path) as archive:
                for inside, name in files.items():
                    contents[name] = archive.extractfile(f"package/{inside}").read()
    DEST.mkdir(parents=True, exist_ok=True)
    for stale in DEST.iterdir():
        if stale.name not in contents and stale != MANIFEST:
            stale.unlink()
    for name, data in contents.items():
        (DEST / name).write_bytes(data)
    manifest = {
        "packages": packages,
        "files": {name: hashlib.sha256(data).hexdigest() for name, data in sorted(contents.items())},
    }
    MANIFEST.write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def main() -> int:
    try:
        manifest = vendor()
    except (VendorError, subprocess.CalledProcessError) as error:
        print(f"vendor_graphiql: {error}", file=sys.stderr)
        return 1
    for package, pinned in manifest["packages"].items():
        print(f"{package}@{pinned['version']} {pinned['integrity']} -> {DEST}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
