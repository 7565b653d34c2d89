"""Files attached to records: metadata in the `files` table, bytes in the files bucket, never
through the API.

- Creation (POST /v1/files) checks the body (an allowed content type, a size within the plan's
  limit, a record the caller may write to), stores the file as `pending` and answers a presigned
  POST for its key: S3 takes exactly `size` bytes of exactly `content_type` there, for
  UPLOAD_EXPIRES_SECONDS, and nothing else. The key is `orgs/<org>/files/<file id>`: the client's
  name is metadata, never part of a key.
- The first read after the upload confirms it: a pending file is looked up in the bucket (one
  HEAD); found with the declared size, it becomes `uploaded` (audited as file.uploaded). Only an
  uploaded file gets a `download_url`, valid DOWNLOAD_EXPIRES_SECONDS (`download_expires_at`),
  which S3 serves as an attachment under the file's name.
- A file inherits its record's visibility (platform/attachables.py): each request reads the
  record through its service, so another tenant's, a deleted or an invisible record's files are
  404 like a missing file, and needs the record's permission as well as `files:*`.
- Deletion: DELETE removes the item (audited, file.deleted); the record's deletion
  (`<kind>.deleted`) removes each of its files the same way. The objects are deleted by the events
  consumer (`consume`) on file.deleted, so a deletion from either path is one mechanism,
  delivered at least once.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import timedelta
from typing import Any

from chalicelib.core import clock
from chalicelib.core.errors import MalformedRequest, NotFound, PreconditionFailed, ValidationFailed
from chalicelib.core.events import DomainEvent
from chalicelib.core.ids import new_id
from chalicelib.core.settings import get_settings
from chalicelib.core.validation import validate
from chalicelib.observability import count
from chalicelib.platform.attachables import AttachableRecordType, attachable_record_types
from chalicelib.platform.services.quotas import DEFAULT_PLAN
from chalicelib.platform.services.roles import READ, WRITE, Principal
from chalicelib.platform.tables.base import find
from chalicelib.platform.tables.files import FileModel, all_files_of_record, files, files_of_record, removal
from chalicelib.platform.tables.organizations import OrganizationModel
from chalicelib.platform.tables.references import reference_check, unknown_reference
from chalicelib.platform.tables.writes import commit

MIB = 1024 * 1024
# The largest file one upload may carry, by the organization's plan. A custom plan is negotiated
# above premium, so it has premium's.
MAX_FILE_BYTES = {"basic": 10 * MIB, "premium": 100 * MIB, "custom": 100 * MIB}
# What may be attached: documents, images, spreadsheets, archives. Not HTML, SVG or scripts,
# which a browser would run if one were ever served inline.
ALLOWED_CONTENT_TYPES = (
    "application/pdf",
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "text/plain",
    "text/csv",
    "application/msword",
    "application/vnd.ms-excel",
    "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/zip",
)
# What the server itself may store (generated content: StoryVerse's illustrations and narration):
# what an upload may be, and recordings. Served as attachments like every file.
STORED_CONTENT_TYPES = (*ALLOWED_CONTENT_TYPES, "audio/wav", "audio/mpeg")
UPLOAD_EXPIRES_SECONDS = 900
DOWNLOAD_EXPIRES_SECONDS = 300
_ID = {"type": "string", "minLength": 1, "maxLength": 64}

FILE_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["name", "content_type", "size", "record_type", "record_id"],
    "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 255},
        "content_type": {"type": "string", "enum": list(ALLOWED_CONTENT_TYPES)},
        # The plan's limit is checked in code; this is the largest any plan has.
        "size": {"type": "integer", "minimum": 1, "maximum": max(MAX_FILE_BYTES.values())},
        "record_type": {"type": "string", "minLength": 1, "maxLength": 64},
        "record_id": _ID,
    },
}
LIST_FILTERS = ("record_type", "record_id")


def object_key(org_id: str, file_id: str) -> str:
    return f"orgs/{org_id}/files/{file_id}"


def max_file_bytes(org_id: str) -> int:
    organization = find(OrganizationModel, org_id)
    plan = organization.plan if organization is not None else DEFAULT_PLAN
    return MAX_FILE_BYTES.get(plan, MAX_FILE_BYTES[DEFAULT_PLAN])


def create_file(principal: Principal, body: Any) -> dict[str, Any]:
    fields = validate(FILE_SCHEMA, body)
    record_type = _record_type(fields["record_type"], refusal=_unknown_type)
    principal.require(f"{record_type.permission_resource}:{WRITE}")
    limit = max_file_bytes(principal.org_id)
    if fields["size"] > limit:
        raise ValidationFailed(
            f"A file may have at most {limit} bytes on this organization's plan.",
            [{"field": "size", "message": f"must be at most {limit} bytes on this plan"}],
        )
    try:
        record_type.get(principal, fields["record_id"])
    except NotFound:
        raise unknown_reference("record_id", record_type.table.noun) from None
    item = FileModel(
        principal.org_id, new_id(), name=fields["name"], content_type=fields["content_type"], size=fields["size"],
        record_type=record_type.name, record_id=fields["record_id"], status="pending",
    )  # fmt: skip
    # The record must still be live when the file is committed (it may be deleted meanwhile).
    files.insert(item, principal.user_id, also=[reference_check(record_type.table, principal.org_id, item.record_id, "record_id")])
    count("FileCreated")
    upload = _bucket().presigned_post(
        object_key(item.org_id, item.file_id), item.content_type, (int(item.size), int(item.size)), UPLOAD_EXPIRES_SECONDS
    )
    expires_at = clock.isoformat(clock.now() + timedelta(seconds=UPLOAD_EXPIRES_SECONDS))
    return {**file_view(item), "upload": {"url": upload.url, "fields": upload.fields, "expires_at": expires_at}}


def store_file(
    principal: Principal, record_type_name: str, record_id: str, name: str, content_type: str, body: bytes
) -> dict[str, Any]:  # fmt: skip
    """A file the server made for `principal` (a generated illustration, a narration), attached to
    a record they may write, as an upload would be: the bytes put in the bucket first, then the
    item committed `uploaded` with its audit entry (file.created) in one transaction with the
    check that the record is still live. A failure between leaves an object no item names, which
    nothing lists or serves. Its view."""
    record_type = _record_type(record_type_name, refusal=_unknown_type)
    principal.require(f"{record_type.permission_resource}:{WRITE}")
    if content_type not in STORED_CONTENT_TYPES:
        raise ValueError(f"{content_type} is not a type of file stored here")
    limit = max_file_bytes(principal.org_id)
    if not 0 < len(body) <= limit:
        raise ValidationFailed(f"A file may have 1 to {limit} bytes on this organization's plan.",
                               [{"field": "size", "message": f"{len(body)} bytes"}])  # fmt: skip
    record_type.get(principal, record_id)
    now = clock.now()
    item = FileModel(
        principal.org_id, new_id(), name=name, content_type=content_type, size=len(body),
        record_type=record_type.name, record_id=record_id, status="uploaded", uploaded_at=now,
    )  # fmt: skip
    _bucket().put(object_key(item.org_id, item.file_id), body, content_type)
    files.insert(item, principal.user_id, also=[reference_check(record_type.table, principal.org_id, record_id, "record_id")])
    count("FileStored")
    return file_view(item)


def get_file(principal: Principal, file_id: str) -> dict[str, Any]:
    item = _readable_file(principal, file_id, READ)
    if item.status == "pending":
        item = _confirm_upload(principal, item)
    view = file_view(item)
    if item.status == "uploaded":
        view["download_url"] = _bucket().presigned_get(
            object_key(item.org_id, item.file_id), DOWNLOAD_EXPIRES_SECONDS, item.name, item.content_type
        )
        view["download_expires_at"] = clock.isoformat(clock.now() + timedelta(seconds=DOWNLOAD_EXPIRES_SECONDS))
    return view


def list_files(principal: Principal, query: dict[str, str], limit: int, cursor: str | None) -> dict[str, Any]:
    unknown = sorted(set(query) - {*LIST_FILTERS, "limit", "cursor"})
    if unknown:
        raise MalformedRequest(f"Unknown query parameter {unknown[0]!r}; the filters are record_type and record_id.",
                               field=unknown[0])  # fmt: skip
    missing = [name for name in LIST_FILTERS if not query.get(name)]
    if missing:
        raise MalformedRequest(f"{missing[0]} is required: files are listed per record.", field=missing[0])
    record_type = _record_type(query["record_type"], refusal=_unlisted_type)
    record_type.get(principal, query["record_id"])
    principal.require(f"{record_type.permission_resource}:{READ}")
    items, next_cursor = files_of_record(principal.org_id, record_type.name, query["record_id"], limit, cursor)
    return {"items": [file_view(item) for item in items], "next_cursor": next_cursor}


def delete_file(principal: Principal, file_id: str, expected_version: int | None) -> None:
    item = _readable_file(principal, file_id, WRITE)
    files.check_version(item, expected_version)
    commit([removal(item, principal.user_id)])
    count("FileDeleted")


def attached_downloads(org_id: str, record_type: str, record_id: str, file_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Fresh download links to those of `file_ids` that are uploaded files of the record (one
    GetItem each; another record's file, or a missing or pending one, gets none), for a service that
    has checked who may read the record by other means (a public link, which has no caller)."""
    links = {}
    expires_at = clock.isoformat(clock.now() + timedelta(seconds=DOWNLOAD_EXPIRES_SECONDS))
    for file_id in file_ids:
        item = find(FileModel, org_id, file_id)
        if item is None or (item.record_type, item.record_id) != (record_type, record_id) or item.status != "uploaded":
            continue
        url = _bucket().presigned_get(object_key(org_id, file_id), DOWNLOAD_EXPIRES_SECONDS, item.name, item.content_type)
        links[file_id] = {"name": item.name, "content_type": item.content_type, "url": url, "expires_at": expires_at}
    return links


def file_view(item: FileModel) -> dict[str, Any]:
    return {
        "id": item.file_id,
        "name": item.name,
        "content_type": item.content_type,
        "size": int(item.size),
        "record_type": item.record_type,
        "record_id": item.record_id,
        "status": item.status,
        "uploaded_at": clock.isoformat(item.uploaded_at) if item.uploaded_at else None,
        "created_by": item.created_by,
        "created_at": clock.isoformat(item.created_at),
        "updated_at": clock.isoformat(item.updated_at),
        "version": item.version,
    }


def consume(events: Sequence[DomainEvent]) -> None:
    """Events consumer: a deleted record's files are deleted (each announcing file.deleted), and a
    deleted file's object leaves the bucket. Repeats change nothing: a file already gone is
    skipped, and S3 deletes an absent key without error."""
    by_kind = {record_type.table.kind: record_type for record_type in attachable_record_types().values()}
    gone_objects = []
    for event in events:
        if event.type == "file.deleted":
            gone_objects.append(object_key(event.org_id, event.subject_id))
            continue
        kind, _, action = event.type.rpartition(".")
        if action == "deleted" and kind in by_kind:
            for item in all_files_of_record(event.org_id, by_kind[kind].name, event.subject_id):
                try:
                    commit([removal(item, event.actor)])
                except NotFound:
                    pass  # deleted meanwhile, by its route or an earlier delivery
    if gone_objects:
        _bucket().delete(*gone_objects)


def _readable_file(principal: Principal, file_id: str, action: str) -> FileModel:
    """The file, when its record is one the caller may see (else 404, as for a missing file), and
    the caller holds the record's permission for `action` (else 403)."""
    item = files.get(principal.org_id, file_id)
    record_type = attachable_record_types().get(item.record_type)
    if record_type is None:
        raise files.not_found()
    try:
        record_type.get(principal, item.record_id)
    except NotFound:
        raise files.not_found() from None
    principal.require(f"{record_type.permission_resource}:{action}")
    return item


def _confirm_upload(principal: Principal, item: FileModel) -> FileModel:
    stored = _bucket().head(object_key(item.org_id, item.file_id))
    if stored is None or stored.size != item.size:
        return item
    parts, uploaded = files.modification(
        item, {"status": "uploaded", "uploaded_at": clock.now()}, principal.user_id, action="uploaded"
    )
    try:
        commit(parts)
    except PreconditionFailed:
        return files.get(item.org_id, item.file_id, consistent=True)  # confirmed by a concurrent read
    count("FileUploaded")
    return uploaded


def _record_type(name: str, refusal: Any) -> AttachableRecordType:
    found = attachable_record_types().get(name)
    if found is None:
        raise refusal(name)
    return found


def _unknown_type(name: str) -> ValidationFailed:
    names = ", ".join(attachable_record_types())
    return ValidationFailed(
        f"Files cannot be attached to {name!r}.", [{"field": "record_type", "message": f"must be one of {names}"}]
    )


def _unlisted_type(name: str) -> MalformedRequest:
    return MalformedRequest(f"Files cannot be attached to {name!r}; record_type is one of "
                            f"{', '.join(attachable_record_types())}.", field="record_type")  # fmt: skip


def _bucket() -> Any:
    from chalicelib.aws.s3 import bucket

    return bucket(get_settings().files_bucket)
