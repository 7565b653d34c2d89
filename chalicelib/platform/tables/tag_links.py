"""Table `tag_links`: one item per (record, tag), so "records with tag X" is a Query, not a Scan.
Partition `tag_key` = "<org_id>#<kind>#<tag>", sort `record_id` (time-ordered ids: oldest first).
Written in the same transaction as the record whose tags change."""
from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute
from pynamodb.models import Model

from chalicelib.platform.tables.base import table_meta
from chalicelib.platform.tables.writes import Change


class TagLinkModel(Model):
    Meta = table_meta("tag_links")

    tag_key = UnicodeAttribute(hash_key=True)
    record_id = UnicodeAttribute(range_key=True)


def tag_key(org_id: str, kind: str, tag: str) -> str:
    return f"{org_id}#{kind}#{tag.lower()}"


def link_changes(org_id: str, kind: str, record_id: str, before: list[str], after: list[str]) -> list[Change]:
    old = {tag.lower() for tag in before}
    new = {tag.lower() for tag in after}
    return [Change("put", TagLinkModel(tag_key(org_id, kind, tag), record_id)) for tag in sorted(new - old)] + [
        Change("delete", TagLinkModel(tag_key(org_id, kind, tag), record_id)) for tag in sorted(old - new)
    ]
