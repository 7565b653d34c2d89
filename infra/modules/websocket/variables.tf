variable "name" {
  description = "Name for the log group, e.g. \"zebros-dev\"."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,40}$", var.name))
    error_message = "name must be lowercase letters, digits and '-'."
  }
}

variable "logging_level" {
  description = "Execution logging level of every route."
  type        = string
  default     = "ERROR"

  validation {
    condition     = contains(["OFF", "ERROR", "INFO"], var.logging_level)
    error_message = "logging_level must be OFF, ERROR or INFO."
  }
}

variable "throttling_rate_limit" {
  description = "Messages per second across the stage."
  type        = number
  default     = 100

  validation {
    condition     = var.throttling_rate_limit > 0
    error_message = "throttling_rate_limit must be positive."
  }
}

variable "throttling_burst_limit" {
  description = "Burst of messages across the stage."
  type        = number
  default     = 200

  validation {
    condition     = var.throttling_burst_limit > 0 && floor(var.throttling_burst_limit) == var.throttling_burst_limit
    error_message = "throttling_burst_limit must be a positive whole number."
  }
}

variable "log_retention_in_days" {
  description = "Retention of the access log group."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_in_days)
    error_message = "log_retention_in_days must be a value CloudWatch Logs accepts."
  }
}

variable "kms_key_arn" {
  description = "KMS key for the access log group."
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

variable "api_id" {
  description = "ID of the WebSocket API (the package's websocket_api_id)."
  type        = string
}

variable "stage_name" {
  description = "Stage of the WebSocket API."
  type        = string
  default     = "api"
}

variable "manage_connections_role_names" {
  description = "Roles (by function name) allowed execute-api:ManageConnections on this API's stage: the message handler and the events stream consumer."
  type        = map(string)
  default     = {}
}
