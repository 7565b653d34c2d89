variable "name" {
  description = "Name of the web ACL and prefix of its metrics, e.g. \"zebros-dev\"."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,100}$", var.name))
    error_message = "name may contain only letters, digits, '_' and '-'."
  }
}

variable "stage_arn" {
  description = "ARN of the API Gateway stage to protect (chalice_app output stage_arn)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:apigateway:[a-z0-9-]+::/restapis/[^/]+/stages/[^/]+$", var.stage_arn))
    error_message = "stage_arn must be a REST API stage ARN."
  }
}

variable "rate_limit_per_ip" {
  description = "Requests one IP may make in any 5-minute window before WAF blocks it."
  type        = number
  default     = 2000

  validation {
    condition     = var.rate_limit_per_ip >= 100 && var.rate_limit_per_ip <= 2000000000
    error_message = "rate_limit_per_ip must be 100..2,000,000,000 (WAF's range)."
  }
}

variable "max_body_bytes" {
  description = "Largest request body the API accepts (the app's MAX_BODY_BYTES, 64 KiB); WAF blocks larger bodies with 413."
  type        = number
  default     = 65536

  validation {
    condition     = var.max_body_bytes >= 1 && var.max_body_bytes <= 65536 && floor(var.max_body_bytes) == var.max_body_bytes
    error_message = "max_body_bytes must be a whole number of bytes, 1..65536 (WAF inspects at most 64 KB of an API Gateway body)."
  }
}

variable "common_rule_set_excluded_rules" {
  description = "Further rules of AWSManagedRulesCommonRuleSet switched to count (SizeRestrictions_BODY always is: body-size-limit replaces it)."
  type        = list(string)
  default     = []
}

variable "log_retention_in_days" {
  description = "Retention of the WAF log group."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_in_days)
    error_message = "log_retention_in_days must be a value CloudWatch Logs accepts."
  }
}

variable "kms_key_arn" {
  description = "KMS key for the WAF log group."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN."
  }
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
