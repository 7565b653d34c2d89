"""The one place that reads the process environment.

Chalice sets the per-stage variables from .chalice/config.json; `make run` and the tests set the
local ones. Everything else asks `get_settings()`.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Settings:
    stage: str
    region: str
    table_prefix: str
    dynamodb_endpoint: str | None
    running_in_lambda: bool
    jwt_issuer: str
    jwt_audience: str
    access_token_ttl_seconds: int
    refresh_token_ttl_seconds: int
    signing_key_secret_id: str | None
    local_signing_key_file: str | None
    local_api_keys: frozenset[str]
    websocket_management_endpoint: str | None
    notifier: str
    notifier_from_address: str | None
    signup_confirm_url: str | None
    max_body_bytes: int
    forgot_password_response_seconds: float
    event_bus_name: str | None
    local_mailbox_file: str | None
    log_format: str
    cors_allowed_origins: frozenset[str]
    sync_retention_days: int
    auth_attempts_per_ip_per_minute: int
    s3_endpoint: str | None
    files_bucket: str
    state_machine_arn_prefix: str
    exports_bucket: str
    export_part_bytes: int
    schedule_group: str
    scheduler_role_arn: str
    scheduled_report_function_arn: str
    usage_plan_prefix: str
    story_generator: str
    story_text_model_id: str
    story_image_model_id: str
    story_voice_id: str

    def table_name(self, logical_name: str) -> str:
        return f"{self.table_prefix}{logical_name}"


def _csv(value: str) -> frozenset[str]:
    return frozenset(part.strip() for part in value.split(",") if part.strip())


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    env = os.environ
    return Settings(
        stage=env.get("ZEBROS_STAGE", "local"),
        region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "us-east-1",
        table_prefix=env.get("TABLE_PREFIX", "zebros-local-"),
        dynamodb_endpoint=env.get("DYNAMODB_ENDPOINT") or None,
        # API Gateway enforces API keys and throttling only in AWS; elsewhere the app stands in.
        running_in_lambda="AWS_LAMBDA_FUNCTION_NAME" in env,
        jwt_issuer=env.get("JWT_ISSUER", "http://127.0.0.1:8000"),
        jwt_audience=env.get("JWT_AUDIENCE", "zebros-api"),
        access_token_ttl_seconds=min(int(env.get("ACCESS_TOKEN_TTL_SECONDS", "900")), 900),
        refresh_token_ttl_seconds=int(env.get("REFRESH_TOKEN_TTL_SECONDS", str(30 * 24 * 3600))),
        signing_key_secret_id=env.get("SIGNING_KEY_SECRET_ID") or None,
        local_signing_key_file=env.get("LOCAL_SIGNING_KEY_FILE") or None,
        local_api_keys=_csv(env.get("LOCAL_API_KEYS", "")),
        # The WebSocket API's @connections endpoint (its stage URL in AWS, the local server under make run).
        websocket_management_endpoint=env.get("WEBSOCKET_MANAGEMENT_ENDPOINT") or None,
        notifier=env.get("NOTIFIER", "log"),
        notifier_from_address=env.get("NOTIFIER_FROM_ADDRESS") or None,
        # The web client's page that confirms a sign-up: sign-up mails link to it with `?token=`.
        signup_confirm_url=env.get("SIGNUP_CONFIRM_URL") or None,
        max_body_bytes=int(env.get("MAX_BODY_BYTES", str(64 * 1024))),
        # Forgot-password answers after this long whether or not a mail went out (SES takes ~0.1 s),
        # so timing does not tell which emails have accounts. Locally nothing is sent: no wait.
        forgot_password_response_seconds=float(
            env.get("FORGOT_PASSWORD_RESPONSE_SECONDS", "1.0" if "AWS_LAMBDA_FUNCTION_NAME" in env else "0")
        ),
        event_bus_name=env.get("EVENT_BUS_NAME") or None,
        # `make run` keeps local mail here and logs one readable line per request; Lambda never does.
        local_mailbox_file=None if "AWS_LAMBDA_FUNCTION_NAME" in env else env.get("LOCAL_MAILBOX_FILE") or None,
        log_format="json" if "AWS_LAMBDA_FUNCTION_NAME" in env else env.get("LOG_FORMAT", "json"),
        # Browser origins whose pages may read answers (platform/routes/cors.py), comma-separated.
        cors_allowed_origins=_csv(env.get("CORS_ALLOWED_ORIGINS", "")),
        # How long the change feed (GET /v1/sync) keeps changes and tombstones; an older cursor is
        # answered 410 resync-required.
        sync_retention_days=int(env.get("SYNC_RETENTION_DAYS", "30")),
        # Login, register and forgot-password attempts one client address may make per minute,
        # each route counted on its own (platform/services/quotas.py); answered 429 beyond.
        auth_attempts_per_ip_per_minute=int(env.get("AUTH_ATTEMPTS_PER_IP_PER_MINUTE", "30")),
        # S3 locally (make run: the moto server; the benchmarks' AWS_ENDPOINT_URL); in AWS unset.
        s3_endpoint=env.get("S3_ENDPOINT") or env.get("AWS_ENDPOINT_URL") or None,
        # Attachments (platform/services/files.py): the private bucket of infra/modules/private_bucket,
        # named by Terraform in AWS; locally and in tests after the table prefix (zebros-local-files).
        files_bucket=env.get("FILES_BUCKET") or f"{env.get('TABLE_PREFIX', 'zebros-local-')}files",
        # A job kind's state machine is "<prefix><name>" (infra/state-machines/<name>.asl.json); the
        # env root sets the prefix, locally the machines live in moto's default account.
        state_machine_arn_prefix=env.get("STATE_MACHINE_ARN_PREFIX") or (
            f"arn:aws:states:{env.get('AWS_REGION') or env.get('AWS_DEFAULT_REGION') or 'us-east-1'}:123456789012:"
            f"stateMachine:{env.get('TABLE_PREFIX', 'zebros-local-')}"
        ),
        # The per-environment bucket of export files (infra: exports bucket, SSE-KMS, lifecycle expiry).
        exports_bucket=env.get("EXPORTS_BUCKET") or f"{env.get('TABLE_PREFIX', 'zebros-local-')}exports",
        # An export file is assembled from parts of at least this size (S3's multipart minimum, 5 MiB).
        export_part_bytes=int(env.get("EXPORT_PART_BYTES", str(5 * 1024 * 1024))),
        # Scheduled reports (aws/schedules.py): the EventBridge Scheduler group their schedules
        # live in, the role Scheduler assumes to invoke the function that runs them, and that
        # function. The env root sets all three; locally moto's default group and account serve.
        schedule_group=env.get("SCHEDULE_GROUP") or "default",
        scheduler_role_arn=env.get("SCHEDULER_ROLE_ARN") or "arn:aws:iam::123456789012:role/zebros-local-scheduler",
        scheduled_report_function_arn=env.get("SCHEDULED_REPORT_FUNCTION_ARN") or (
            f"arn:aws:lambda:{env.get('AWS_REGION') or env.get('AWS_DEFAULT_REGION') or 'us-east-1'}:123456789012:"
            "function:run_scheduled_report"
        ),
        # API Gateway usage plans are named <prefix><plan tier> (infra/modules/usage_plans); an
        # organization's API keys are attached to its tier's plan (chalicelib/aws/api_gateway.py).
        usage_plan_prefix=env.get("USAGE_PLAN_PREFIX") or f"zebros-{env.get('ZEBROS_STAGE', 'local')}-",
        # StoryVerse's generator (storyverse/generation/services/generator.py): "offline" (templates,
        # a drawn PNG, espeak-ng; no cloud account) or "aws" (Bedrock and Polly, with these models and
        # voice; the env root's story_generation variable sets them and grants exactly those).
        story_generator=env.get("STORY_GENERATOR") or "offline",
        story_text_model_id=env.get("STORY_TEXT_MODEL_ID") or "anthropic.claude-3-haiku-20240307-v1:0",
        story_image_model_id=env.get("STORY_IMAGE_MODEL_ID") or "amazon.titan-image-generator-v2:0",
        story_voice_id=env.get("STORY_VOICE_ID") or "Joanna",
    )
