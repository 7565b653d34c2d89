variable "name" {
  description = "Name of the bus and prefix of the archive, queue and policies, e.g. \"zebros-dev\" (the functions' EVENT_BUS_NAME)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,40}$", var.name))
    error_message = "name must be lowercase letters, digits and '-', 2..41 characters."
  }
}

variable "archive_retention_days" {
  description = "Days the archive keeps each event for replay (0 keeps them forever)."
  type        = number
  default     = 90

  validation {
    condition     = var.archive_retention_days >= 0 && floor(var.archive_retention_days) == var.archive_retention_days
    error_message = "archive_retention_days must be a whole number of days, 0 or more."
  }
}

variable "dead_letter_retention_seconds" {
  description = "How long the dead-letter queue keeps a failed batch's record (SQS allows 60..1209600, 14 days)."
  type        = number
  default     = 1209600

  validation {
    condition     = var.dead_letter_retention_seconds >= 60 && var.dead_letter_retention_seconds <= 1209600
    error_message = "dead_letter_retention_seconds must be 60..1209600."
  }
}

variable "consumers" {
  description = "Stream consumers by function name: the role of the function and the DynamoDB stream it reads."
  type = map(object({
    role_name  = string
    stream_arn = string
  }))
  default = {}

  validation {
    condition     = alltrue([for c in values(var.consumers) : can(regex("^arn:aws[a-z-]*:dynamodb:[a-z0-9-]+:[0-9]{12}:table/[^/]+/stream/.+$", c.stream_arn))])
    error_message = "stream_arn must be a DynamoDB stream ARN."
  }
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
