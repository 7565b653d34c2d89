# The environment root, shared by infra/envs/{dev,staging,prod} through symlinks: environments
# differ only in terraform.tfvars, backend.tf and which generated package ./package points at
# (build/<env>/terraform, written by `make package ENV=<env>`).

provider "aws" {
  region = var.aws_region

  default_tags {
    tags = {
      "app"         = "zebros"
      "environment" = var.environment
      "managed-by"  = "terraform"
    }
  }
}

locals {
  name          = "zebros-${var.environment}"
  table_prefix  = "zebros-${var.environment}-"                # TABLE_PREFIX in .chalice/config.json
  secret_name   = "zebros-${var.environment}/jwt-signing-key" # SIGNING_KEY_SECRET_ID
  stage_name    = "api"                                       # api_gateway_stage
  rest_api_name = "zebros-${var.environment}"                 # chalice_package.py names it <app>-<stage>

  app_dir           = "${path.module}/../../.."
  tables            = jsondecode(file("${path.module}/../../tables.json"))
  gateway_responses = jsondecode(file("${local.app_dir}/chalicelib/platform/routes/gateway_responses.json"))

  # Every business event the code records with observability's count("Name"), read from the
  # source so the dashboard cannot fall behind the app.
  business_metrics = sort(distinct(flatten([
    for f in fileset(local.app_dir, "chalicelib/**/*.py") :
    regexall("(?:^|[^.\\w])count\\(\\s*\"([A-Za-z0-9_]+)\"", file("${local.app_dir}/${f}"))
  ])))

  # wss://ws.<domain>. Its stage is mapped at the root, so its @connections endpoint is
  # https://ws.<domain>/@connections: known at plan, unlike the API's own execute-api address.
  websocket_domain_name = "ws.${var.domain_name}"

  # Job state machines (infra/state-machines/<name>.asl.json), each Task's `${function}` rendered
  # with that Chalice function's ARN; the execution role may invoke exactly those functions.
  job_state_machines = {
    export = ["export_count", "export_chunk", "export_finish", "job_failed"]
    # A custom report's run (chalicelib/crm/reporting/services/report_runs.py).
    report_run = ["report_aggregate", "report_finish", "job_failed"]
    # One execution per marketing automation enrollment (chalicelib/crm/marketing/services/automation_runs.py).
    "automation-run" = ["automation_step", "automation_step_waited", "automation_run_finished"]
    # StoryVerse's generation (chalicelib/storyverse/generation/services/generation.py): a failed
    # job gives the family's quota use back before the platform's failure task ends it.
    story_text  = ["story_write_text", "story_give_back", "job_failed"]
    story_image = ["story_draw_image", "story_give_back", "job_failed"]
    story_audio = ["story_narrate", "story_give_back", "job_failed"]
  }

  # By name (the step_functions module names a machine <name_prefix><name>), not from its outputs:
  # the functions' policies need not wait for the machines (nor an IAM check's apply create them).
  job_state_machine_arns = {
    for name in keys(local.job_state_machines) :
    name => "arn:${data.aws_partition.current.partition}:states:${var.aws_region}:${data.aws_caller_identity.current.account_id}:stateMachine:${local.table_prefix}${name}"
  }

  # Functions that post to WebSocket connections: the message handler answers its client, the
  # events stream consumer fans events out (chalicelib/platform/services/fanout.py).
  connection_managers = ["websocket_message", "deliver_events"]

  # Chalice names a function <app>-<stage>-<name>.
  scheduled_report_function_arn = "arn:${data.aws_partition.current.partition}:lambda:${var.aws_region}:${data.aws_caller_identity.current.account_id}:function:${local.name}-run_scheduled_report"

  signing_key_readers = [
    for name, f in module.package.functions : f.role_arn if try(var.function_grants[name].signing_key, false)
  ]

  # Globally unique: S3 bucket names are shared by every account.
  files_bucket_name = "${local.name}-files-${data.aws_caller_identity.current.account_id}"
  # Known at plan time, so the functions' environment is too (the bucket's id would be known only at apply).
  exports_bucket_name = "${local.name}-exports-${data.aws_caller_identity.current.account_id}"

  # Mail goes out through SES from the sender's domain, verified in this account and region
  # (docs/deploy.md), unless ses_identity_arns names the identities explicitly.
  ses_identity_arns = length(var.ses_identity_arns) > 0 ? var.ses_identity_arns : [
    "arn:${data.aws_partition.current.partition}:ses:${var.aws_region}:${data.aws_caller_identity.current.account_id}:identity/${split("@", var.notification_sender)[1]}",
  ]
}

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

# The Chalice app as `make package` generated and post-processed it (infra/chalice_package.py).
module "package" {
  source = "./package"

  gateway_responses = module.api.openapi_gateway_responses
  # One list for API Gateway's preflight and the functions' CORS headers: they cannot disagree.
  cors_allowed_origins = var.cors_allowed_origins
  # Only in AWS (chalicelib/core/settings.py): `make run` reads the dev stage of
  # .chalice/config.json and keeps the log notifier.
  environment_variables = {
    NOTIFIER                      = "ses"
    NOTIFIER_FROM_ADDRESS         = var.notification_sender
    EVENT_BUS_NAME                = module.event_bus.bus_name
    WEBSOCKET_MANAGEMENT_ENDPOINT = "https://${local.websocket_domain_name}"
    CORS_ALLOWED_ORIGINS          = join(",", var.cors_allowed_origins)
    FILES_BUCKET                  = local.files_bucket_name
    # Jobs start "<prefix><machine>" (step_functions module: name_prefix = table prefix).
    STATE_MACHINE_ARN_PREFIX = "arn:${data.aws_partition.current.partition}:states:${var.aws_region}:${data.aws_caller_identity.current.account_id}:stateMachine:${local.table_prefix}"
    EXPORTS_BUCKET           = local.exports_bucket_name
    # Scheduled reports (module.report_schedules): known names, so the package does not wait on it.
    SCHEDULE_GROUP                = "${local.name}-reports"
    SCHEDULER_ROLE_ARN            = "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:role/${local.name}-report-scheduler"
    SCHEDULED_REPORT_FUNCTION_ARN = local.scheduled_report_function_arn
    # Organization API keys join the plan of their tier, found by name (module usage_plans names
    # them "<name>-<tier>"); a plan's id would make a cycle: plan -> stage -> API -> function.
    USAGE_PLAN_PREFIX = "${local.name}-"
    # StoryVerse's generator and, with Bedrock and Polly, the models and voice module.story_generation grants.
    STORY_GENERATOR      = var.story_generation.provider
    STORY_TEXT_MODEL_ID  = var.story_generation.text_model_id
    STORY_IMAGE_MODEL_ID = var.story_generation.image_model_id
    STORY_VOICE_ID       = var.story_generation.voice_id
  }
  websocket_stage_settings = module.websocket.stage_settings
  # The stream consumers' streams and where their failed batches go (known once they may use them).
  stream_arns                    = module.event_bus.stream_arns
  stream_failure_destination_arn = module.event_bus.dead_letter_queue_arn
}

# Scheduled reports: the schedule group, the role schedules invoke run_scheduled_report with, and
# the API handler's right to manage the group's schedules (chalicelib/aws/schedules.py).
module "report_schedules" {
  source = "../../modules/report_schedules"

  name                = local.name
  region              = var.aws_region
  target_function_arn = local.scheduled_report_function_arn
  manager_role_names  = [module.package.functions["api_handler"].role_name]
}

module "kms" {
  source = "../../modules/kms"

  alias = local.name
}

module "dynamodb" {
  source = "../../modules/dynamodb"

  name_prefix                 = local.table_prefix
  tables                      = local.tables
  kms_key_arn                 = module.kms.key_arn
  deletion_protection_enabled = var.deletion_protection_enabled
}

# Domain events: the audit_logs stream feeds deliver_events, which puts them on this bus
# (docs/architecture.md, "Events"); archive and dead-letter queue.
module "event_bus" {
  source = "../../modules/event_bus"

  name                   = local.name
  archive_retention_days = var.event_archive_retention_days
  consumers = {
    for name, table in module.package.stream_consumers : name => {
      role_name  = module.package.functions[name].role_name
      stream_arn = module.dynamodb.stream_arns[table]
    }
  }
}

module "secrets" {
  source = "../../modules/secrets"

  signing_key_secret_name = local.secret_name
  reader_role_arns        = local.signing_key_readers
  operator_role_arns      = var.signing_key_operator_role_arns
}

module "api" {
  source = "../../modules/chalice_app"

  name                        = local.name
  rest_api_id                 = module.package.rest_api_id
  deployment_id               = module.package.rest_api_deployment_id
  stage_name                  = local.stage_name
  functions                   = module.package.functions
  function_grants             = var.function_grants
  table_arns                  = module.dynamodb.table_arns
  data_kms_key_arn            = module.kms.key_arn
  signing_key_secret_arn      = module.secrets.signing_key_secret_arn
  job_state_machine_arns      = local.job_state_machine_arns
  ses_identity_arns           = local.ses_identity_arns
  log_retention_in_days       = var.log_retention_in_days
  logging_level               = var.logging_level
  throttling_rate_limit       = var.stage_throttle.rate
  throttling_burst_limit      = var.stage_throttle.burst
  gateway_responses           = local.gateway_responses
  api_gateway_account_enabled = var.api_gateway_account_enabled
}

module "waf" {
  source = "../../modules/waf"

  name                  = local.name
  stage_arn             = module.api.stage_arn
  rate_limit_per_ip     = var.waf_rate_limit_per_ip
  kms_key_arn           = module.kms.key_arn
  log_retention_in_days = var.log_retention_in_days
}

module "usage_plans" {
  source = "../../modules/usage_plans"

  # USAGE_PLAN_PREFIX above is this name and "-" (output plan_name_prefix).
  name        = local.name
  rest_api_id = module.package.rest_api_id
  stage_name  = module.api.stage_name
  tiers       = var.usage_plan_tiers
  api_keys    = var.api_keys
}

# prod's account holds zebroscrm.com; dev and staging create their delegated sub-zones
# (docs/deploy.md, "DNS and accounts").
module "dns_zone" {
  source = "../../modules/dns_zone"

  zone_name        = var.hosted_zone_name
  create_enabled   = var.hosted_zone_create_enabled
  existing_zone_id = var.hosted_zone_id
  delegations      = var.zone_delegations
}

module "custom_domain" {
  source = "../../modules/custom_domain"

  domain_name = var.domain_name
  zone_id     = module.dns_zone.zone_id
  rest_api_id = module.package.rest_api_id
  stage_name  = module.api.stage_name

  # On the same certificate.
  websocket_enabled     = true
  websocket_domain_name = local.websocket_domain_name
  websocket_api_id      = module.package.websocket_api_id
  websocket_stage_name  = module.package.websocket_stage_name
}

# The WebSocket API's stage settings (access logs, throttling) and who may post to its connections.
module "websocket" {
  source = "../../modules/websocket"

  name                   = local.name
  api_id                 = module.package.websocket_api_id
  stage_name             = local.stage_name # Chalice's WebSocket stage is api_gateway_stage too
  kms_key_arn            = module.kms.key_arn
  log_retention_in_days  = var.log_retention_in_days
  logging_level          = var.logging_level
  throttling_rate_limit  = var.websocket_throttle.rate
  throttling_burst_limit = var.websocket_throttle.burst
  manage_connections_role_names = {
    for name, f in module.package.functions : name => f.role_name if contains(local.connection_managers, name)
  }
}

# The export files (POST /v1/exports) and the report runs' files: private, SSE-KMS, expiring.
# Functions granted `exports` reach every object: "read" (the API presigns downloads and reads a
# run's rows), "write" (the tasks write parts and files and read partials back).
module "exports_bucket" {
  #checkov:skip=CKV_AWS_21:Export files are written once and expire in days; a new export is a new object, so there is nothing to version.
  source = "../../modules/private_bucket"

  bucket_name = local.exports_bucket_name
  kms_key_arn = module.kms.key_arn
  # Files are written once and expire; versions would only keep expired files alive.
  versioning_enabled = false
  # A file lives as long as the job that made it (chalicelib/platform/tables/jobs.py RETENTION);
  # a cancelled or failed export leaves its multipart upload behind for a day.
  lifecycle_rules = [{ id = "expire-exports", expiration_days = 7, noncurrent_version_expiration_days = 1 }]
  object_access = {
    for name, grant in var.function_grants : name => {
      role_name = module.package.functions[name].role_name
      read      = true
      write     = grant.exports == "write"
      multipart = grant.exports == "write"
    } if grant.exports != null
  }
}

module "step_functions" {
  source = "../../modules/step_functions"

  name_prefix = local.table_prefix
  state_machines = merge(var.state_machines, {
    for name, functions in local.job_state_machines : name => {
      definition_file          = "${path.module}/../../state-machines/${name}.asl.json"
      definition_substitutions = { for f in functions : f => module.package.functions[f].arn }
      role_policy_json = jsonencode({
        Version = "2012-10-17"
        Statement = [{
          Sid      = "InvokeTaskFunctions"
          Effect   = "Allow"
          Action   = ["lambda:InvokeFunction"]
          Resource = [for f in functions : module.package.functions[f].arn]
        }]
      })
    }
  })
  kms_key_arn           = module.kms.key_arn
  log_retention_in_days = var.log_retention_in_days
}

module "observability" {
  source = "../../modules/observability"

  name                         = local.name
  rest_api_name                = local.rest_api_name
  stage_name                   = module.api.stage_name
  websocket_enabled            = true
  function_names               = { for k, f in module.package.functions : k => f.function_name }
  stream_consumers             = { for k, _ in module.package.stream_consumers : k => module.package.functions[k].function_name }
  state_machine_arns           = module.step_functions.state_machine_arns
  event_dead_letter_queue_name = module.event_bus.dead_letter_queue_name
  table_names                  = module.dynamodb.table_names
  metrics_service              = "zebros-api" # POWERTOOLS_SERVICE_NAME
  business_metrics             = local.business_metrics
  kms_key_arn                  = module.kms.key_arn
  alarm_subscriptions          = var.alarm_subscriptions
}

# Files attached to records (docs/architecture.md, "Files"): browsers upload and download directly
# through requests the API signs, so the signer's role is what S3 authorizes. The API signs
# uploads (PutObject) and downloads, and HEADs an upload to confirm it (GetObject); the events
# consumer deletes the objects of deleted files. Both only under orgs/, where every key is.
module "files_bucket" {
  source = "../../modules/private_bucket"

  bucket_name = local.files_bucket_name
  kms_key_arn = module.kms.key_arn
  # The web client posts uploads to the bucket and fetches downloads from it.
  cors_rules = [{ allowed_origins = var.cors_allowed_origins, allowed_methods = ["GET", "POST"] }]
  # A deleted file's object stays recoverable for 30 days as a noncurrent version, then goes.
  lifecycle_rules = [{ id = "deleted-files", noncurrent_version_expiration_days = 30 }]
  object_access = {
    api_handler    = { role_name = module.package.functions["api_handler"].role_name, key_prefix = "orgs/", read = true, write = true }
    deliver_events = { role_name = module.package.functions["deliver_events"].role_name, key_prefix = "orgs/", delete = true }
    # StoryVerse's generation stores a page's picture and recording as files of the story.
    story_draw_image = { role_name = module.package.functions["story_draw_image"].role_name, key_prefix = "orgs/", write = true }
    story_narrate    = { role_name = module.package.functions["story_narrate"].role_name, key_prefix = "orgs/", write = true }
  }
}

# What the generation tasks may call in AWS: nothing offline (the default); with provider "aws",
# each its own Bedrock model, and Polly for narration.
module "story_generation" {
  source = "../../modules/story_generation"

  provider_name  = var.story_generation.provider
  region         = var.aws_region
  text_model_id  = var.story_generation.text_model_id
  image_model_id = var.story_generation.image_model_id
  role_names = {
    text  = module.package.functions["story_write_text"].role_name
    image = module.package.functions["story_draw_image"].role_name
    audio = module.package.functions["story_narrate"].role_name
  }
}
