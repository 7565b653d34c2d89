"""A table as Terraform's dynamodb module consumes it: keys, indexes, TTL, stream.

infra/tables.json is `python -m chalicelib.tables` (every product's tables described), committed;
a test fails when it drifts from the models.
"""
from __future__ import annotations

from typing import Any

from pynamodb.models import Model


def describe(model: type[Model]) -> dict[str, Any]:
    attributes = model.get_attributes()
    key_names: set[str] = {model._hash_keyname}
    if model._range_keyname:
        key_names.add(model._range_keyname)
    indexes = []
    for index in model._indexes.values():
        index_meta = index.Meta
        hash_key = next(name for name, attr in index.Meta.attributes.items() if attr.is_hash_key)
        range_key = next((name for name, attr in index.Meta.attributes.items() if attr.is_range_key), None)
        key_names.update(name for name in (hash_key, range_key) if name)
        indexes.append(
            {
                "name": index_meta.index_name,
                "hash_key": hash_key,
                "range_key": range_key,
                "projection_type": index_meta.projection.projection_type,
            }
        )
    ttl = next((name for name, attr in attributes.items() if type(attr).__name__ == "TTLAttribute"), None)
    return {
        "hash_key": model._hash_keyname,
        "range_key": model._range_keyname,
        "attributes": [{"name": name, "type": attributes[name].attr_type} for name in sorted(key_names)],
        "global_secondary_indexes": sorted(indexes, key=lambda index: index["name"]),
        "ttl_attribute": ttl,
        "stream_view_type": getattr(model.Meta, "stream_view_type", None),
    }

