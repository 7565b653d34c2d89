variable "name_prefix" {
  description = "Prefix of every physical table name, e.g. \"zebros-dev-\"; the app reads the same prefix from TABLE_PREFIX."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]{1,200}$", var.name_prefix))
    error_message = "name_prefix may contain only letters, digits, '_', '-', '.'."
  }
}

variable "tables" {
  description = "Tables by logical name, in the format of infra/tables.json (generated from the app's PynamoDB models)."
  type = map(object({
    hash_key  = string
    range_key = optional(string)
    attributes = list(object({
      name = string
      type = string
    }))
    global_secondary_indexes = optional(list(object({
      name               = string
      hash_key           = string
      range_key          = optional(string)
      projection_type    = string
      non_key_attributes = optional(list(string))
    })), [])
    ttl_attribute    = optional(string)
    stream_view_type = optional(string)
  }))

  validation {
    condition = alltrue(flatten([
      for t in values(var.tables) : [for a in t.attributes : contains(["S", "N", "B"], a.type)]
    ]))
    error_message = "Attribute types must be S, N or B."
  }

  validation {
    condition = alltrue([
      for t in values(var.tables) :
      t.stream_view_type == null || contains(["KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"], coalesce(t.stream_view_type, "KEYS_ONLY"))
    ])
    error_message = "stream_view_type must be null, KEYS_ONLY, NEW_IMAGE, OLD_IMAGE or NEW_AND_OLD_IMAGES."
  }

  validation {
    condition = alltrue(flatten([
      for t in values(var.tables) : [for g in t.global_secondary_indexes : contains(["ALL", "KEYS_ONLY", "INCLUDE"], g.projection_type)]
    ]))
    error_message = "GSI projection_type must be ALL, KEYS_ONLY or INCLUDE."
  }

  validation {
    # DynamoDB rejects attribute definitions that no key or index uses, and keys without a definition.
    condition = alltrue([
      for t in values(var.tables) :
      toset([for a in t.attributes : a.name]) == toset(compact(flatten([
        t.hash_key, t.range_key,
        [for g in t.global_secondary_indexes : [g.hash_key, g.range_key]],
      ])))
    ])
    error_message = "Each table's attributes must be exactly its key and GSI key attributes."
  }
}

variable "kms_key_arn" {
  description = "Customer managed KMS key for server-side encryption of every table."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN."
  }
}

variable "deletion_protection_enabled" {
  description = "Block DeleteTable (on in prod)."
  type        = bool
  default     = true
}

variable "point_in_time_recovery_enabled" {
  description = "Continuous backups with 35 days of point-in-time recovery."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags for every table."
  type        = map(string)
  default     = {}
}
