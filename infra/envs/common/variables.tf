variable "environment" {
  description = "Environment and Chalice stage: dev, staging or prod."
  type        = string

  validation {
    condition     = contains(["dev", "staging", "prod"], var.environment)
    error_message = "environment must be dev, staging or prod."
  }
}

variable "aws_region" {
  description = "Region of the whole environment."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.aws_region))
    error_message = "aws_region must be an AWS region name."
  }
}

variable "domain_name" {
  description = "Custom domain of the REST API; must match JWT_ISSUER's host in .chalice/config.json."
  type        = string

  validation {
    condition     = endswith(var.domain_name, ".${var.hosted_zone_name}")
    error_message = "domain_name must be a name inside hosted_zone_name."
  }
}

variable "cors_allowed_origins" {
  description = "Browser origins (scheme://host[:port]) whose pages may call the API: echoed in CORS headers, by API Gateway's preflight and by the functions. Any other origin gets no CORS header."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for origin in var.cors_allowed_origins : can(regex("^https?://[a-z0-9.-]+(:[0-9]{1,5})?$", origin))])
    error_message = "Each origin is scheme://host[:port] in lower case, without a path, a wildcard or a trailing slash."
  }
}

variable "hosted_zone_name" {
  description = "Public hosted zone of the environment, in its own account: zebroscrm.com (prod), dev.zebroscrm.com, staging.zebroscrm.com."
  type        = string
}

variable "hosted_zone_create_enabled" {
  description = "Create hosted_zone_name here (a sub-zone the parent's account delegates: output hosted_zone_name_servers); false uses the existing zone."
  type        = bool
  default     = false
}

variable "hosted_zone_id" {
  description = "ID of the existing zone (when not created); null looks it up by hosted_zone_name."
  type        = string
  default     = null
}

variable "zone_delegations" {
  description = "Sub-zones of hosted_zone_name held in other accounts => their name servers (their hosted_zone_name_servers output)."
  type        = map(list(string))
  default     = {}
}

variable "log_retention_in_days" {
  description = "Retention of every log group of the environment."
  type        = number
  default     = 365
}

variable "deletion_protection_enabled" {
  description = "DynamoDB deletion protection."
  type        = bool
}

variable "logging_level" {
  description = "API Gateway execution logging level (OFF, ERROR, INFO)."
  type        = string
  default     = "ERROR"
}

variable "stage_throttle" {
  description = "Stage-wide API Gateway throttle: steady requests/second and burst."
  type = object({
    rate  = number
    burst = number
  })
}

variable "websocket_throttle" {
  description = "Throttling of the WebSocket stage: messages per second and burst."
  type = object({
    rate  = number
    burst = number
  })
  default = { rate = 100, burst = 200 }
}

variable "event_archive_retention_days" {
  description = "Days the event bus archive keeps each domain event for replay to integrations."
  type        = number
  default     = 90
}

variable "waf_rate_limit_per_ip" {
  description = "Requests one IP may send per 5 minutes before WAF blocks it."
  type        = number
  default     = 2000
}

variable "usage_plan_tiers" {
  description = "Usage plan tiers (at least basic and premium) for API-key routes."
  type = map(object({
    description    = optional(string, "")
    throttle_rate  = number
    throttle_burst = number
    daily_quota    = number
  }))
}

variable "api_keys" {
  description = "API keys by key name: client and tier. Rotate by adding a new name, then removing the old."
  type = map(object({
    client  = string
    tier    = string
    enabled = optional(bool, true)
  }))
  default = {}
}

variable "function_grants" {
  description = "What each Chalice function may reach (all tables, named tables, tables to read by key, indexes to query, signing key, SES, API Gateway keys, the exports bucket: \"read\" or \"write\"); ungranted functions get their logs and X-Ray only."
  type = map(object({
    dynamodb    = optional(bool, false)
    tables      = optional(list(string), [])
    read_tables = optional(list(string), [])
    signing_key = optional(bool, false)
    ses         = optional(bool, false)
    jobs        = optional(bool, false)
    exports     = optional(string)
    # Query on the named indexes only, "<table>/<index>".
    query_indexes = optional(list(string), [])
    # Issue and delete organization API keys in API Gateway and attach them to usage plans.
    api_keys = optional(bool, false)
  }))
  default = {
    api_handler = { dynamodb = true, signing_key = true, ses = true, jobs = true, exports = "read", api_keys = true }
    # The authorizer verifies the token and that its session is not revoked (GetItem on sessions),
    # or finds an organization API key by its hash (Query on the api_keys table's key_hashes index).
    jwt_authorizer = { signing_key = true, read_tables = ["sessions"], query_indexes = ["api_keys/key_hashes"] }
    # $connect verifies the token as the authorizer does and writes the connection; a message reads
    # and updates it (and Queries audit_logs to replay); $disconnect deletes it. Under team
    # visibility a replayed or delivered event reaches a member only when they see its record
    # (platform/services/event_visibility.py): the organization's setting, the record (any
    # team-owned table), its owner's team memberships and those teams, all read by key.
    websocket_connect = { tables = ["connections"], read_tables = ["sessions"], signing_key = true }
    websocket_message = { tables = ["connections", "audit_logs"],
      read_tables = ["org_settings", "teams", "customers", "leads", "contacts", "companies", "opportunities", "deals", "tickets", "activities"],
    query_indexes = ["team_members/by_user"] }
    websocket_disconnect = { tables = ["connections"] }
    # The stream consumer keeps receipts of what once() consumers handled, and its WebSocket fan-out
    # Queries connections and deletes the gone ones; it deletes a deleted record's files (Query
    # by_record, each deletion with its audit entry). Its stream, the bus and the dead-letter queue
    # come from the event_bus module; its bucket access from files_bucket.
    # Marketing automations' enrolment (a consumer of the stream) also Queries the active
    # automations of an event's type, GetItems the record and commits the enrolment (its run,
    # markers and daily counter), then starts the run's execution of the automation-run machine.
    # Its fan-out narrows each event's audience under team visibility as websocket_message does.
    deliver_events = { tables = ["event_receipts", "connections", "files", "audit_logs", "automations", "automation_enrollments", "counters"],
      read_tables = ["org_settings", "teams", "customers", "leads", "contacts", "companies", "opportunities", "deals", "tickets", "activities"],
    query_indexes = ["team_members/by_user"], jobs = true }
    # The reminder schedule Queries the due-hour index and writes each reminder with its audit entry
    # and its change-feed item.
    send_reminders = { tables = ["activities", "audit_logs", "changes"] }
    # Export tasks read the exported list's tables and indexes (and its tag links), report progress
    # (jobs, with its audit entry) and write the file; the failure task ends the job. The API
    # handler (above) also starts and cancels jobs and presigns their downloads.
    export_count  = { dynamodb = true, exports = "write" }
    export_chunk  = { dynamodb = true, exports = "write" }
    export_finish = { dynamodb = true, exports = "write" }
    job_failed    = { tables = ["jobs"] }
    # A scheduled report's run reads the report, its owner's membership and role, the time zone,
    # and queues the job (its Step Functions start: the jobs platform's grant).
    run_scheduled_report = { tables = ["jobs"], read_tables = ["reports", "memberships", "roles", "org_settings"], jobs = true }
    # A report run's chunks read the reported resource through its list route's Query (any CRM
    # table and the tag links), and move the job's progress with its audit entry; the last also
    # records the run on the report. Their partials and results live in the exports bucket.
    report_aggregate = { dynamodb = true, exports = "write" }
    report_finish    = { tables = ["jobs", "reports", "audit_logs", "changes"], exports = "write" }
    # The automation-run machine's tasks: a step reads its run and automation and writes the run's
    # history, and does the step with the service of what it changes (a lead's field, a task, a
    # campaign member: each with its audit entry and change-feed item), mailing through SES.
    automation_step = { tables = ["automation_enrollments", "automations", "leads", "contacts", "customers",
      "activities", "campaigns", "campaign_members", "counters", "tag_links", "audit_logs", "changes"],
    read_tables = ["email_templates", "memberships", "custom_fields"], ses = true }
    automation_step_waited  = { tables = ["automation_enrollments"], read_tables = ["automations"] }
    automation_run_finished = { tables = ["automation_enrollments"] }
    # StoryVerse's generation tasks read their job, the story as its requester may write it (the
    # child's age band, its universe and characters, by key) and store the result: pages on the
    # story (with its audit entry and change-feed item), a picture or a recording as a file of the
    # story (the files bucket's grant: files_bucket), ending the job. A failed job's quota use goes
    # back to the family's counter (story_give_back). Bedrock and Polly: var.story_generation.
    story_write_text = { tables = ["jobs", "stories", "audit_logs", "changes"], read_tables = ["children", "characters", "universes"] }
    story_draw_image = { tables = ["jobs", "stories", "files", "audit_logs", "changes"],
    read_tables = ["children", "characters", "universes", "organizations"] }
    story_narrate = { tables = ["jobs", "stories", "files", "audit_logs", "changes"],
    read_tables = ["children", "characters", "universes", "organizations"] }
    story_give_back = { tables = ["usage"], read_tables = ["jobs"] }
  }

  validation {
    condition     = alltrue([for g in values(var.function_grants) : g.exports == null || contains(["read", "write"], coalesce(g.exports, "read"))])
    error_message = "exports must be \"read\" or \"write\" (or left out)."
  }
}

variable "story_generation" {
  description = "StoryVerse's generator: \"offline\" (templates, a drawn PNG, espeak-ng: no AWS service, no grant) or \"aws\" (Amazon Bedrock with these model ids, Amazon Polly with this voice; the tasks are granted exactly those models)."
  type = object({
    provider       = optional(string, "offline")
    text_model_id  = optional(string, "anthropic.claude-3-haiku-20240307-v1:0")
    image_model_id = optional(string, "amazon.titan-image-generator-v2:0")
    voice_id       = optional(string, "Joanna")
  })
  default = {}

  validation {
    condition     = contains(["offline", "aws"], var.story_generation.provider)
    error_message = "story_generation.provider must be offline or aws."
  }
}

variable "notification_sender" {
  description = "From address of sign-up, password-reset and invitation mail (NOTIFIER_FROM_ADDRESS); its domain is an SES identity of the environment's account (docs/deploy.md)."
  type        = string

  validation {
    condition     = can(regex("^[^@\\s]+@([a-z0-9]([a-z0-9-]*[a-z0-9])?\\.)+[a-z]{2,}$", var.notification_sender))
    error_message = "notification_sender must be an email address with a lowercase domain."
  }
  validation {
    condition = length(var.ses_identity_arns) == 0 || anytrue([
      for arn in var.ses_identity_arns : contains([var.notification_sender, split("@", var.notification_sender)[1]], try(split(":identity/", arn)[1], ""))
    ])
    error_message = "notification_sender's address or domain must be one of ses_identity_arns."
  }
}

variable "ses_identity_arns" {
  description = "SES identities the functions may send from; empty means the sender's domain in this account and region."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.ses_identity_arns : can(regex("^arn:aws[a-z-]*:ses:[a-z0-9-]+:[0-9]{12}:identity/.+$", arn))])
    error_message = "ses_identity_arns must be SES identity ARNs."
  }
}

variable "signing_key_operator_role_arns" {
  description = "Roles (besides the functions) that may read the signing key to rotate it."
  type        = list(string)
  default     = []
}

variable "alarm_subscriptions" {
  description = "SNS subscriptions for the alarm topic ({protocol, endpoint}); prod needs at least one (docs/deploy.md, \"Alarms\")."
  type = list(object({
    protocol = string
    endpoint = string
  }))
  default = []

  validation {
    condition     = var.environment != "prod" || length(var.alarm_subscriptions) > 0
    error_message = "prod needs at least one alarm subscription: alarms that notify no one are not monitoring (docs/deploy.md, \"Alarms\")."
  }
}

variable "api_gateway_account_enabled" {
  description = "Whether this environment owns the region's API Gateway account settings (CloudWatch role). Exactly one environment per account and region."
  type        = bool
  default     = false
}

variable "state_machines" {
  description = "More Step Functions state machines (ASL files in infra/state-machines/) beside the job machines main.tf composes."
  type = map(object({
    definition_file          = string
    definition_substitutions = optional(map(string), {})
    role_policy_json         = string
    type                     = optional(string, "STANDARD")
  }))
  default = {}
}
