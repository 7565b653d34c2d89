variable "bucket_name" {
  description = "Name of the bucket (globally unique, e.g. \"zebros-prod-files-<account id>\"); the app reads it from its environment (FILES_BUCKET, ...)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$", var.bucket_name)) && !can(regex("--", var.bucket_name))
    error_message = "bucket_name must be 3..63 lowercase letters, digits and single '-', starting and ending with a letter or digit."
  }
}

variable "kms_key_arn" {
  description = "KMS key every object is encrypted with (SSE-KMS, with an S3 bucket key): the environment's data key."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN (arn:...:kms:<region>:<account>:key/<id>)."
  }
}

variable "versioning_enabled" {
  description = "Keep an overwritten or deleted object as a noncurrent version (expired by lifecycle_rules' noncurrent_version_expiration_days)."
  type        = bool
  default     = true
}

variable "lifecycle_rules" {
  description = <<-EOT
    Lifecycle rules, each on the objects under `prefix` ("" = all): `expiration_days` deletes
    current objects that old (null = never), `noncurrent_version_expiration_days` removes
    superseded versions, `abort_incomplete_multipart_upload_days` cleans abandoned uploads.
  EOT
  type = list(object({
    id                                     = string
    prefix                                 = optional(string, "")
    expiration_days                        = optional(number)
    noncurrent_version_expiration_days     = optional(number, 30)
    abort_incomplete_multipart_upload_days = optional(number, 1)
  }))
  default = [{ id = "tidy" }]

  validation {
    condition     = length(var.lifecycle_rules) > 0
    error_message = "At least one lifecycle rule: without one, noncurrent versions and abandoned uploads are kept (and billed) forever."
  }
  validation {
    condition = alltrue([for r in var.lifecycle_rules :
      (r.expiration_days == null || try(r.expiration_days >= 1, false)) &&
      r.noncurrent_version_expiration_days >= 1 && r.abort_incomplete_multipart_upload_days >= 1
    ])
    error_message = "Lifecycle day counts must be at least 1."
  }
  validation {
    condition     = length(distinct([for r in var.lifecycle_rules : r.id])) == length(var.lifecycle_rules)
    error_message = "Lifecycle rule ids must be unique."
  }
}

variable "cors_rules" {
  description = "CORS for browsers that upload (presigned POST) or download directly; empty = no CORS configuration."
  type = list(object({
    allowed_origins = list(string)
    allowed_methods = list(string)
    allowed_headers = optional(list(string), [])
    expose_headers  = optional(list(string), ["ETag"])
    max_age_seconds = optional(number, 3000)
  }))
  default = []

  validation {
    condition     = alltrue([for r in var.cors_rules : length(r.allowed_origins) > 0 && !contains(r.allowed_origins, "*")])
    error_message = "Each CORS rule names its origins; \"*\" would let any site's pages use the signed URLs it holds."
  }
  validation {
    condition     = alltrue(flatten([for r in var.cors_rules : [for m in r.allowed_methods : contains(["GET", "PUT", "POST", "DELETE", "HEAD"], m)]]))
    error_message = "allowed_methods must be among GET, PUT, POST, DELETE, HEAD."
  }
}

variable "object_access" {
  description = <<-EOT
    IAM roles given access to objects under a key prefix ("" = the whole bucket), by a name used in
    the policy's name (e.g. the Chalice function): read (GetObject, HeadObject), write (PutObject,
    which a presigned upload needs from its signer), multipart (with write: list the parts of a
    multipart upload to complete it, and abort it) and delete (DeleteObject). Each gets the
    bucket's KMS key through S3 only.
  EOT
  type = map(object({
    role_name  = string
    key_prefix = optional(string, "")
    read       = optional(bool, false)
    write      = optional(bool, false)
    multipart  = optional(bool, false)
    delete     = optional(bool, false)
  }))
  default = {}

  validation {
    condition     = alltrue([for a in values(var.object_access) : a.read || a.write || a.delete])
    error_message = "Each object_access entry allows at least one of read, write, delete."
  }
  validation {
    condition     = alltrue([for a in values(var.object_access) : a.write || !a.multipart])
    error_message = "multipart goes with write: a multipart upload's parts are written with PutObject."
  }
  validation {
    condition     = alltrue([for a in values(var.object_access) : !strcontains(a.key_prefix, "*") && !startswith(a.key_prefix, "/")])
    error_message = "key_prefix is a literal prefix without '*' and without a leading '/'."
  }
}

variable "force_destroy_enabled" {
  description = "Let `terraform destroy` delete a bucket that still holds objects (test environments only)."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags for the bucket."
  type        = map(string)
  default     = {}
}
