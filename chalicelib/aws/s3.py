"""Private S3 buckets: presigned uploads and downloads, and the few object calls the app makes itself
(the export tasks' multipart uploads and the report runs' small files among them).

Browsers never send file bodies through the API (API Gateway caps a body at 10 MB and a Lambda
invocation at 6 MB): the app signs an upload (a POST policy) or a download (a GET URL) and the
client talks to S3 directly. The signature is the function role's, so S3 checks that role's IAM
(s3:PutObject, s3:GetObject on the key, and the bucket key through S3) when the URL is used, not
when it is made; infra/modules/private_bucket grants exactly those on the app's prefix.

A bucket's calls get the time budget of where they are made: the API's within the short default
(sessions.DEFAULT_BUDGET), the export tasks' (15 s functions sending parts of 5 MiB and more) a
longer one with retries (`bucket(name, large_transfers=True)`).

In AWS the client reaches the regional endpoint; under `make run` and in the tests S3_ENDPOINT is
the moto server (path-style addresses, since `<bucket>.127.0.0.1` does not resolve).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import quote


@dataclass(frozen=True)
class PresignedPost:
    url: str
    fields: dict[str, str]


@dataclass(frozen=True)
class StoredObject:
    size: int
    content_type: str | None


# Time to send a part of 5 MiB and more from a 15 s function, retried.
LARGE_TRANSFER_BUDGET = {"connect_timeout": 1, "read_timeout": 10, "retries": {"mode": "standard", "total_max_attempts": 3}}


class Bucket:
    def __init__(self, name: str, large_transfers: bool = False) -> None:
        self.name = name
        self.large_transfers = large_transfers

    def presigned_post(self, key: str, content_type: str, size_range: tuple[int, int], expires_in: int) -> PresignedPost:
        """A form upload S3 accepts only for this key, this Content-Type and a body size in
        `size_range` (bytes, inclusive), until `expires_in` seconds from now."""
        low, high = size_range
        signed = self._s3().generate_presigned_post(
            Bucket=self.name,
            Key=key,
            Fields={"Content-Type": content_type},
            Conditions=[{"Content-Type": content_type}, ["content-length-range", low, high]],
            ExpiresIn=expires_in,
        )
        return PresignedPost(url=signed["url"], fields=dict(signed["fields"]))

    def presigned_get(self, key: str, expires_in: int, filename: str, content_type: str) -> str:
        """A download URL valid `expires_in` seconds. S3 answers it as an attachment named
        `filename`, so a stored HTML or SVG file is saved, never rendered from the bucket's origin."""
        return self._s3().generate_presigned_url(
            "get_object",
            Params={
                "Bucket": self.name,
                "Key": key,
                "ResponseContentDisposition": content_disposition(filename),
                "ResponseContentType": content_type,
            },
            ExpiresIn=expires_in,
        )

    def put(self, key: str, body: bytes, content_type: str) -> None:
        self._s3().put_object(Bucket=self.name, Key=key, Body=body, ContentType=content_type)

    def read(self, key: str) -> bytes:
        return self._s3().get_object(Bucket=self.name, Key=key)["Body"].read()

    def head(self, key: str) -> StoredObject | None:
        """The object's size and type, or None when nothing is stored under `key`."""
        client = self._s3()
        try:
            found = client.head_object(Bucket=self.name, Key=key)
        except client.exceptions.ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise
        return StoredObject(size=found["ContentLength"], content_type=found.get("ContentType"))

    def delete(self, *keys: str) -> None:
        """Delete the objects (an absent key is not an error, as in S3), 1,000 per request."""
        client = self._s3()
        for start in range(0, len(keys), 1000):
            batch = keys[start:start + 1000]
            answer = client.delete_objects(
                Bucket=self.name, Delete={"Objects": [{"Key": k} for k in batch], "Quiet": True}
            )
            if answer.get("Errors"):
                failed = answer["Errors"][0]
                raise RuntimeError(f"S3 did not delete {failed.get('Key')}: {failed.get('Code')}")

    def start_multipart_upload(self, key: str, content_type: str) -> str:
        """An upload of `key` in parts (5 MiB at least, but the last); its id."""
        return self._s3().create_multipart_upload(Bucket=self.name, Key=key, ContentType=content_type)["UploadId"]

    def upload_part(self, key: str, upload_id: str, number: int, body: bytes) -> None:
        """Upload part `number` (1..10,000); a retried chunk uploads the same number again, which
        replaces the part."""
        self._s3().upload_part(Bucket=self.name, Key=key, UploadId=upload_id, PartNumber=number, Body=body)

    def complete_multipart_upload(self, key: str, upload_id: str) -> None:
        """Assemble the uploaded parts in order (as S3 lists them, so the caller carries no list)."""
        client = self._s3()
        parts: list[dict[str, Any]] = []
        marker = 0
        while True:
            page = client.list_parts(Bucket=self.name, Key=key, UploadId=upload_id, PartNumberMarker=marker)
            parts += [{"PartNumber": part["PartNumber"], "ETag": part["ETag"]} for part in page.get("Parts", [])]
            if not page.get("IsTruncated"):
                break
            marker = page["NextPartNumberMarker"]
        client.complete_multipart_upload(Bucket=self.name, Key=key, UploadId=upload_id, MultipartUpload={"Parts": parts})

    def _s3(self) -> Any:
        return _client(self.large_transfers)


@lru_cache(maxsize=None)
def bucket(name: str, large_transfers: bool = False) -> Bucket:
    return Bucket(name, large_transfers)


def content_disposition(filename: str) -> str:
    """`attachment` with the name in both forms (RFC 6266): an ASCII fallback and the UTF-8 one."""
    fallback = "".join(c if 32 <= ord(c) < 127 and c not in '"\\' else "_" for c in filename) or "file"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


@lru_cache(maxsize=2)
def _client(large_transfers: bool) -> Any:
    from botocore.config import Config

    from chalicelib.aws.sessions import DEFAULT_BUDGET, new_session
    from chalicelib.core.settings import get_settings

    settings = get_settings()
    config = Config(
        **(LARGE_TRANSFER_BUDGET if large_transfers else DEFAULT_BUDGET),
        # SigV4 everywhere: regions opened since 2014 accept nothing else, and KMS-encrypted
        # objects are only served to SigV4 requests.
        signature_version="s3v4",
        s3={"addressing_style": "path" if settings.s3_endpoint else "virtual"},
    )
    return new_session().create_client(
        "s3", region_name=settings.region, endpoint_url=settings.s3_endpoint, config=config
    )
