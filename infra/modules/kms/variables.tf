variable "alias" {
  description = "Alias name without the \"alias/\" prefix, e.g. \"zebros-dev\"."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9/_-]{1,200}$", var.alias)) && !startswith(var.alias, "aws/")
    error_message = "alias must be letters, digits, '/', '_', '-' and must not start with aws/."
  }
}

variable "description" {
  description = "What the key protects."
  type        = string
  default     = "Zebros data at rest: DynamoDB, CloudWatch Logs, SNS, Step Functions"
}

variable "deletion_window_in_days" {
  description = "Waiting period before a scheduled key deletion completes."
  type        = number
  default     = 30

  validation {
    condition     = var.deletion_window_in_days >= 7 && var.deletion_window_in_days <= 30
    error_message = "deletion_window_in_days must be 7..30."
  }
}

variable "tags" {
  description = "Tags for the key."
  type        = map(string)
  default     = {}
}
