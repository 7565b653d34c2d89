"""Export files in S3, written as one multipart upload whose parts the export's chunks upload, and
read through presigned GETs. Minimal on purpose: the `files` branch owns the general S3 adapter;
once it lands this can sit on top of it."""
from __future__ import annotations

from typing import Any


def _s3() -> Any:
    from chalicelib.aws.sessions import client

    return client("s3")


def start_upload(bucket: str, key: str, content_type: str) -> str:
    return _s3().create_multipart_upload(Bucket=bucket, Key=key, ContentType=content_type)["UploadId"]


def upload_part(bucket: str, key: str, upload_id: str, number: int, body: bytes) -> None:
    """Upload part `number` (1..10,000); a retried chunk uploads the same number again, which
    replaces the part."""
    _s3().upload_part(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=number, Body=body)


def complete_upload(bucket: str, key: str, upload_id: str) -> None:
    """Assemble the uploaded parts in order (as S3 lists them, so the state machine carries no list)."""
    s3 = _s3()
    parts: list[dict[str, Any]] = []
    marker = 0
    while True:
        page = s3.list_parts(Bucket=bucket, Key=key, UploadId=upload_id, PartNumberMarker=marker)
        parts += [{"PartNumber": part["PartNumber"], "ETag": part["ETag"]} for part in page.get("Parts", [])]
        if not page.get("IsTruncated"):
            break
        marker = page["NextPartNumberMarker"]
    s3.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id, MultipartUpload={"Parts": parts})


def download_url(bucket: str, key: str, filename: str, expires_in: int) -> str:
    return _s3().generate_presigned_url(
        "get_object", ExpiresIn=expires_in,
        Params={"Bucket": bucket, "Key": key, "ResponseContentDisposition": f'attachment; filename="{filename}"'},
    )  # fmt: skip
