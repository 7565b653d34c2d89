variable "zone_name" {
  description = "Public hosted zone of the environment, e.g. \"dev.zebroscrm.com\"."
  type        = string

  validation {
    condition     = can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,}$", var.zone_name))
    error_message = "zone_name must be a lowercase DNS name without the trailing dot."
  }
}

variable "create_enabled" {
  description = "Create zone_name in this account (a sub-zone to delegate from the parent's account); false uses the existing zone."
  type        = bool
  default     = false
}

variable "existing_zone_id" {
  description = "ID of the existing zone when create_enabled is false; null looks the zone up by zone_name."
  type        = string
  default     = null

  validation {
    condition     = var.existing_zone_id == null || can(regex("^Z[A-Z0-9]{1,31}$", coalesce(var.existing_zone_id, "Z0")))
    error_message = "existing_zone_id must be a Route 53 hosted zone ID."
  }
}

variable "delegations" {
  description = "Sub-zones held in other accounts: sub-zone name => its name servers (the sub-zone's name_servers output)."
  type        = map(list(string))
  default     = {}

  validation {
    condition     = alltrue([for name, servers in var.delegations : endswith(name, ".${var.zone_name}") && length(servers) > 0])
    error_message = "Each delegation must be a sub-zone of zone_name with at least one name server."
  }
}

variable "tags" {
  description = "Tags for the zone."
  type        = map(string)
  default     = {}
}
