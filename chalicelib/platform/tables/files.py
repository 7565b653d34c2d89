"""Table `files`: attachments on records (the metadata; the bytes are in the files bucket).
Partition `org_id`, sort `file_id` (time-ordered).

| request                                              | served by                                              |
|------------------------------------------------------|--------------------------------------------------------|
| GET/DELETE /v1/files/{file_id}                       | the table (org_id, file_id): one GetItem               |
| GET /v1/files?record_type=<type>&record_id=<id>      | GSI by_record (org_record = "<org>#<type>#<id>", file_id) |
| the record's deletion (events consumer)              | the same by_record Query, every page                   |

The organization leads the index's partition key, so no list can reach another tenant's files. A
file is deleted outright (no restore): its object goes with it (platform/services/files.py).
"""
from __future__ import annotations

from typing import Any

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute

from chalicelib.core.errors import NotFound
from chalicelib.platform.tables.base import global_index, query_page, table_meta
from chalicelib.platform.tables.tenant_table import TenantRecord, TenantTable
from chalicelib.platform.tables.writes import Change, audited


class FileModel(TenantRecord):
    Meta = table_meta("files")

    file_id = UnicodeAttribute(range_key=True)
    name = UnicodeAttribute()
    content_type = UnicodeAttribute()
    size = NumberAttribute()
    record_type = UnicodeAttribute()
    record_id = UnicodeAttribute()
    # "pending" until the object is found in the bucket, then "uploaded".
    status = UnicodeAttribute()
    uploaded_at = UTCDateTimeAttribute(null=True)

    org_record = UnicodeAttribute()
    by_record = global_index("by_record", "org_record", "file_id")


def record_partition(org_id: str, record_type: str, record_id: str) -> str:
    return f"{org_id}#{record_type}#{record_id}"


files = TenantTable(
    FileModel, "file_id", "file",
    derive=lambda f: {"org_record": record_partition(f.org_id, f.record_type, f.record_id)},
    derived_attributes=frozenset({"org_record"}),
)  # fmt: skip


def removal(item: FileModel, actor: str) -> Change:
    """The file's deletion, with its audit entry (file.deleted), if it still exists."""
    audit, event = audited(item.org_id, actor, "deleted", "file", item.file_id, {}, item.version + 1)
    return Change(
        "delete", FileModel(item.org_id, item.file_id), condition=FileModel.file_id.exists(),
        on_condition_failed=NotFound("No file with this id."), audit=audit, event=event,
    )  # fmt: skip


def files_of_record(
    org_id: str, record_type: str, record_id: str, limit: int, cursor: str | None
) -> tuple[list[FileModel], str | None]:
    key = record_partition(org_id, record_type, record_id)
    return query_page(FileModel.by_record, FileModel, {"org_record": key}, key, frozenset({"file_id"}), limit, cursor)


def all_files_of_record(org_id: str, record_type: str, record_id: str) -> list[Any]:
    """Every file of the record, page after page (a record's deletion removes them all)."""
    found: list[FileModel] = []
    cursor = None
    while True:
        page, cursor = files_of_record(org_id, record_type, record_id, 100, cursor)
        found += page
        if cursor is None:
            return found
