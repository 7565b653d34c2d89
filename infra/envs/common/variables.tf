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
}

variable "hosted_zone_name" {
  description = "Route 53 public hosted zone that holds domain_name (looked up by name, so no zone ID is hard-coded)."
  type        = string
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
  description = "What each Chalice function may reach (all tables, tables to read by key, signing key, SES); ungranted functions get their logs and X-Ray only."
  type = map(object({
    dynamodb    = optional(bool, false)
    read_tables = optional(list(string), [])
    signing_key = optional(bool, false)
    ses         = optional(bool, false)
  }))
  default = {
    api_handler = { dynamodb = true, signing_key = true, ses = true }
    # The authorizer verifies the token and that its session is not revoked (GetItem on sessions).
    jwt_authorizer = { signing_key = true, read_tables = ["sessions"] }
  }
}

variable "ses_identity_arns" {
  description = "SES identities the password-reset mail is sent from; empty until SES is set up."
  type        = list(string)
  default     = []
}

variable "signing_key_operator_role_arns" {
  description = "Roles (besides the functions) that may read the signing key to rotate it."
  type        = list(string)
  default     = []
}

variable "alarm_subscriptions" {
  description = "SNS subscriptions for the alarm topic ({protocol, endpoint})."
  type = list(object({
    protocol = string
    endpoint = string
  }))
  default = []
}

variable "api_gateway_account_enabled" {
  description = "Whether this environment owns the region's API Gateway account settings (CloudWatch role). Exactly one environment per account and region."
  type        = bool
  default     = false
}

variable "state_machines" {
  description = "Step Functions state machines (ASL files in infra/state-machines/); none yet."
  type = map(object({
    definition_file          = string
    definition_substitutions = optional(map(string), {})
    role_policy_json         = string
    type                     = optional(string, "STANDARD")
  }))
  default = {}
}
