variable "signing_key_secret_name" {
  description = "Name of the JWT signing-key secret; the app reads it from SIGNING_KEY_SECRET_ID (e.g. \"zebros-dev/jwt-signing-key\")."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9/_+=.@-]{1,512}$", var.signing_key_secret_name))
    error_message = "signing_key_secret_name has characters Secrets Manager does not allow."
  }
}

variable "reader_role_arns" {
  description = "IAM roles that may read the secret: the Lambda functions that sign or verify tokens. Everyone else is denied GetSecretValue."
  type        = list(string)

  validation {
    condition     = length(var.reader_role_arns) > 0 && alltrue([for a in var.reader_role_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/", a))])
    error_message = "reader_role_arns must be a non-empty list of IAM role ARNs."
  }
}

variable "operator_role_arns" {
  description = "IAM roles that may also read the secret, to rotate it (the rotation command keeps the current public key as previous)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for a in var.operator_role_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/", a))])
    error_message = "operator_role_arns must be IAM role ARNs."
  }
}

variable "recovery_window_in_days" {
  description = "Days a deleted secret can still be restored."
  type        = number
  default     = 30

  validation {
    condition     = var.recovery_window_in_days == 0 || (var.recovery_window_in_days >= 7 && var.recovery_window_in_days <= 30)
    error_message = "recovery_window_in_days must be 0 or 7..30."
  }
}

variable "tags" {
  description = "Tags for the secret and its key."
  type        = map(string)
  default     = {}
}
