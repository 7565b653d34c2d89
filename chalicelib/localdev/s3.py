"""moto's S3 under `make run`: the app's buckets, created on the moto server that serves DynamoDB.

Each bucket the app reads from its environment gets a local name here (the variable is set unless
the developer set it); a product or feature with a bucket of its own adds its line to
LOCAL_BUCKETS. Browsers served on the local origins may upload and download (CORS, as the
environments' buckets allow their web client).
"""
from __future__ import annotations

import os
from typing import Any

# Environment variable the app reads -> the bucket `make run` creates for it.
LOCAL_BUCKETS = {
    "FILES_BUCKET": "zebros-local-files",
}


def create_buckets(endpoint: str, cors_origins: list[str]) -> list[str]:
    """Create the missing local buckets on `endpoint`; the names, as the app will read them."""
    cors_origins = [o.strip() for o in cors_origins if o.strip()]
    client = _client(endpoint)
    existing = {b["Name"] for b in client.list_buckets().get("Buckets", [])}
    names = []
    for variable, default in LOCAL_BUCKETS.items():
        name = os.environ.setdefault(variable, default)
        if name not in existing:
            client.create_bucket(Bucket=name)
        if cors_origins:
            client.put_bucket_cors(Bucket=name, CORSConfiguration={"CORSRules": [{
                "AllowedOrigins": cors_origins, "AllowedMethods": ["GET", "POST"],
                "AllowedHeaders": [], "ExposeHeaders": ["ETag"], "MaxAgeSeconds": 3000,
            }]})  # fmt: skip
        names.append(name)
    return names


def _client(endpoint: str) -> Any:
    from botocore.config import Config

    from chalicelib.aws.sessions import new_session

    return new_session().create_client(
        "s3", endpoint_url=endpoint, region_name=os.environ.get("AWS_DEFAULT_REGION", "us-east-1"),
        config=Config(s3={"addressing_style": "path"}),
    )  # fmt: skip
