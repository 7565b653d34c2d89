variable "name_prefix" {
  description = "Prefix of state machine, role and log group names, e.g. \"zebros-dev-\"."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{0,40}$", var.name_prefix))
    error_message = "name_prefix may contain only letters, digits, '_' and '-' (at most 40)."
  }
}

variable "state_machines" {
  description = <<-EOT
    State machines by name. definition_file is an ASL (JSON) file kept in the repo
    (infra/state-machines/); it is rendered with templatefile() and definition_substitutions,
    so it can reference ARNs as $${name}. role_policy_json is the execution role's policy for
    what the machine calls (Lambda, DynamoDB, ...); logging and X-Ray access are added here.
  EOT
  type = map(object({
    definition_file          = string
    definition_substitutions = optional(map(string), {})
    role_policy_json         = string
    type                     = optional(string, "STANDARD")
  }))
  default = {}

  validation {
    condition     = alltrue([for m in values(var.state_machines) : contains(["STANDARD", "EXPRESS"], m.type)])
    error_message = "type must be STANDARD or EXPRESS."
  }

  validation {
    condition     = alltrue([for k in keys(var.state_machines) : can(regex("^[A-Za-z0-9_-]{1,40}$", k))])
    error_message = "State machine names may contain only letters, digits, '_' and '-' (at most 40)."
  }

  validation {
    condition     = alltrue([for m in values(var.state_machines) : can(jsondecode(m.role_policy_json).Statement)])
    error_message = "role_policy_json must be an IAM policy document (JSON with Statement)."
  }
}

variable "log_retention_in_days" {
  description = "Retention of the execution log groups."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_in_days)
    error_message = "log_retention_in_days must be a value CloudWatch Logs accepts."
  }
}

variable "kms_key_arn" {
  description = "KMS key for the execution log groups."
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
