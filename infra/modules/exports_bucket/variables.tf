variable "bucket_name" {
  description = "Name of the exports bucket, e.g. \"zebros-dev-exports-111122223333\" (bucket names are global)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.bucket_name))
    error_message = "bucket_name must be a valid S3 bucket name."
  }
}

variable "kms_key_arn" {
  description = "KMS key the files are encrypted with (SSE-KMS)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN."
  }
}

variable "expiration_days" {
  description = "Days after which an export file is deleted (the job that made it is kept as long: chalicelib/platform/tables/jobs.py RETENTION)."
  type        = number
  default     = 7

  validation {
    condition     = var.expiration_days >= 1 && var.expiration_days <= 365
    error_message = "expiration_days must be between 1 and 365."
  }
}

variable "force_destroy_enabled" {
  description = "Whether destroying the environment deletes the bucket with its files."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags for the bucket."
  type        = map(string)
  default     = {}
}
