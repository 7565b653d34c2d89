"""infra/tables.json is what Terraform builds; it must say exactly what the models declare."""
import json
from pathlib import Path

from chalicelib.tables import tables

TABLES_JSON = Path(__file__).resolve().parents[2] / "infra" / "tables.json"


def test_infra_tables_json_matches_the_models():
    committed = json.loads(TABLES_JSON.read_text())
    assert committed == tables(), "run: .venv/bin/python -m chalicelib.tables > infra/tables.json"


# Partitioned by a key that starts with the organization: "<org_id>#<kind>#<tag>", the change
# feed's "<org_id>#<seq // 1000>", the usage counters' "org#<org_id>" (or "ip#<address>": an
# unauthenticated caller's per-minute attempts, which belong to no organization).
ORGANIZATION_PREFIXED = {"tag_links", "changes", "usage"}


def test_every_tenant_table_is_partitioned_by_organization():
    for name, table in tables().items():
        if table["range_key"] is not None and name not in ORGANIZATION_PREFIXED:
            assert table["hash_key"] == "org_id", name
