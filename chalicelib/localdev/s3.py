"""moto's S3 under `make run`: the app's buckets, created on the moto server that serves DynamoDB.

Each bucket the app reads from its settings is created here under the name the settings give it
(its environment variable, or by default one after the table prefix: zebros-local-files); a
product or feature with a bucket of its own adds its line to LOCAL_BUCKETS. Browsers served on the local origins may upload and download (CORS, as the
environments' buckets allow their web client). Form uploads are checked against their POST
policy as S3 checks them (`enforce_post_policies`), which moto alone does not do.
"""
from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

# Environment variable -> the attribute of core.settings.Settings that holds its bucket's name.
LOCAL_BUCKETS = {
    "FILES_BUCKET": "files_bucket",
    "EXPORTS_BUCKET": "exports_bucket",
}


def create_buckets(endpoint: str | None = None, cors_origins: Sequence[str] = ()) -> list[str]:
    """Create the app's missing buckets on `endpoint` (None: moto's in-process mock, in the tests)
    and set their variables for processes started from here; the names."""
    from chalicelib.core.settings import get_settings

    origins = [origin.strip() for origin in cors_origins if origin.strip()]
    client = _client(endpoint)
    existing = {b["Name"] for b in client.list_buckets().get("Buckets", [])}
    names = []
    for variable, attribute in LOCAL_BUCKETS.items():
        name = os.environ[variable] = getattr(get_settings(), attribute)
        if name not in existing:
            client.create_bucket(Bucket=name)
        if origins:
            client.put_bucket_cors(Bucket=name, CORSConfiguration={"CORSRules": [{
                "AllowedOrigins": origins, "AllowedMethods": ["GET", "POST"],
                "AllowedHeaders": [], "ExposeHeaders": ["ETag"], "MaxAgeSeconds": 3000,
            }]})  # fmt: skip
        names.append(name)
    return names


def _client(endpoint: str | None) -> Any:
    from botocore.config import Config

    from chalicelib.aws.sessions import new_session

    return new_session().create_client(
        "s3", endpoint_url=endpoint, region_name=os.environ.get("AWS_DEFAULT_REGION", "us-east-1"),
        config=Config(s3={"addressing_style": "path"}),
    )  # fmt: skip


class PolicyRefused(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def enforce_post_policies() -> None:
    """Make moto check browser uploads as S3 does. moto 5.2.5 stores whatever a form POST sends,
    so a presigned POST's conditions (key, Content-Type, content-length-range, expiry) and its
    signature would go untested locally; with this, an upload S3 would refuse is refused here too
    (AccessDenied, EntityTooLarge, EntityTooSmall, SignatureDoesNotMatch), before anything is stored.
    The signature is checked with the local credentials' secret (AWS_SECRET_ACCESS_KEY)."""
    from moto.s3.responses import S3Response

    original = S3Response._bucket_response_post
    if getattr(original, "checks_post_policy", False):
        return

    def checked(self: Any, request: Any, bucket_name: str) -> Any:
        self.path = self._get_path(request)
        if request.headers.get("Content-Length") and not self.is_delete_keys():
            fields = dict(self.form_data.items())
            body = self.raw_body if isinstance(self.raw_body, bytes) else str(self.body).encode()
            try:
                check_post_policy(bucket_name, fields, len(body), os.environ.get("AWS_SECRET_ACCESS_KEY", ""))
            except PolicyRefused as refused:
                return refused.status, {"Content-Type": "application/xml"}, _error_xml(refused)
        return original(self, request, bucket_name)

    checked.checks_post_policy = True  # type: ignore[attr-defined]
    S3Response._bucket_response_post = checked


# Form fields S3 does not require a condition for.
_UNCONDITIONED = frozenset({"policy", "x-amz-signature", "file"})


def check_post_policy(bucket_name: str, fields: dict[str, str], size: int, secret: str) -> None:
    """Raise PolicyRefused unless S3 would accept this form upload (POST policy, Signature V4)."""
    import base64
    import hashlib
    import hmac
    import json
    from datetime import datetime, timezone

    lowered = {name.lower(): value for name, value in fields.items()}
    policy_b64 = lowered.get("policy")
    if not policy_b64:
        raise PolicyRefused(403, "AccessDenied", "Access Denied: an upload without a policy needs a public bucket.")
    credential = lowered.get("x-amz-credential", "")
    try:
        _, date, region, service, _ = credential.split("/")
    except ValueError:
        raise PolicyRefused(400, "InvalidArgument", "x-amz-credential is malformed.") from None
    key = f"AWS4{secret}".encode()
    for part in (date, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    expected = hmac.new(key, policy_b64.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, lowered.get("x-amz-signature", "")):
        raise PolicyRefused(403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided.")
    policy = json.loads(base64.b64decode(policy_b64))
    expiration = datetime.fromisoformat(policy["expiration"].replace("Z", "+00:00"))
    if expiration <= datetime.now(timezone.utc):
        raise PolicyRefused(403, "AccessDenied", "Invalid according to Policy: Policy expired.")
    values = {**lowered, "bucket": bucket_name}
    covered = set()
    for condition in policy["conditions"]:
        if isinstance(condition, dict):
            ((name, wanted),) = condition.items()
            condition = ["eq", f"${name}", wanted]
        if condition[0] == "content-length-range":
            low, high = int(condition[1]), int(condition[2])
            if size > high:
                raise PolicyRefused(400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size.")
            if size < low:
                raise PolicyRefused(400, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size.")
            continue
        operator, name, wanted = condition[0], condition[1].lstrip("$").lower(), condition[2]
        covered.add(name)
        actual = values.get(name, "")
        if (operator == "eq" and actual != wanted) or (operator == "starts-with" and not actual.startswith(wanted)):
            raise PolicyRefused(403, "AccessDenied", f"Invalid according to Policy: Policy Condition failed: {json.dumps(condition)}")
    extra = sorted(name for name in lowered if name not in covered | _UNCONDITIONED and not name.startswith("x-ignore-"))
    if extra:
        raise PolicyRefused(403, "AccessDenied", f"Invalid according to Policy: Extra input fields: {extra[0]}")


def _error_xml(refused: PolicyRefused) -> str:
    from xml.sax.saxutils import escape

    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{refused.code}</Code>'
            f"<Message>{escape(refused.message)}</Message></Error>")  # fmt: skip
