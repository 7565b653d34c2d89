"""The record kinds clients sync (chalicelib/platform/kinds.py) match the REST API and the change
feed: each is a collection the API serves, read with the permission its GET route declares, and
every table whose writes enter the feed is a registered kind (nothing is logged that no client can
pull, no kind is pulled that nothing logs)."""
from __future__ import annotations

import importlib
import pkgutil

import chalicelib
from app import app
from chalicelib.platform.kinds import record_kinds
from chalicelib.platform.tables.tenant_table import TenantTable


def test_each_kind_is_a_rest_collection_read_with_its_get_permission():
    kinds = record_kinds()
    assert {"customers", "contacts", "companies", "leads", "opportunities", "deals", "tickets", "kb/articles",
            "notes", "activities"} <= set(kinds)
    for name, kind in kinds.items():
        collection = app.routes[f"/v1/{name}"]
        item_route = next(
            path for path in app.routes if path.startswith(f"/v1/{name}/{{") and path.count("/") == name.count("/") + 3
        )
        assert collection["GET"].view_function.permission == kind.read, name
        assert app.routes[item_route]["GET"].view_function.permission == kind.read, name


def test_every_table_in_the_feed_is_a_registered_kind():
    kinds = record_kinds()
    fed_tables = {
        table.feed_kind: table for table in _tables() if table.feed_kind
    }
    assert set(fed_tables) == set(kinds)
    assert all(kinds[name].table is table for name, table in fed_tables.items())


def _tables() -> list[TenantTable]:
    """Every TenantTable a table module of any product declares."""
    found = []
    for module in pkgutil.walk_packages(chalicelib.__path__, "chalicelib."):
        if ".tables." in module.name:
            values = vars(importlib.import_module(module.name)).values()
            found += [value for value in values if isinstance(value, TenantTable)]
    return found
