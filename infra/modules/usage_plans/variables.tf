variable "name" {
  description = "Prefix of the usage plan and API key names, e.g. \"zebros-dev\"."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,100}$", var.name))
    error_message = "name may contain only letters, digits, '_' and '-'."
  }
}

variable "rest_api_id" {
  description = "REST API whose stage the plans cover."
  type        = string
}

variable "stage_name" {
  description = "Stage the plans cover (chalice_app output stage_name)."
  type        = string
}

variable "tiers" {
  description = "Usage plan tiers by name (at least basic, premium and custom: the organizations' plans): steady rate (requests/second), burst, and a daily request quota per API key."
  type = map(object({
    description    = optional(string, "")
    throttle_rate  = number
    throttle_burst = number
    daily_quota    = number
  }))

  # The app attaches an organization's API keys to the plan of its plan tier: basic, premium or
  # custom (chalicelib/platform/services/api_keys.py), found by name, "<name>-<tier>".
  validation {
    condition     = alltrue([for tier in ["basic", "premium", "custom"] : contains(keys(var.tiers), tier)])
    error_message = "tiers must define at least basic, premium and custom."
  }

  validation {
    condition = alltrue([for t in values(var.tiers) :
      t.throttle_rate > 0 && t.throttle_burst >= 1 && floor(t.throttle_burst) == t.throttle_burst &&
      t.daily_quota >= 1 && floor(t.daily_quota) == t.daily_quota
    ])
    error_message = "throttle_rate must be positive; throttle_burst and daily_quota positive whole numbers."
  }
}

variable "api_keys" {
  description = <<-EOT
    API keys by key name, each for one client on one tier. Rotate by adding a key under a new
    name (e.g. "acme-2026-06"), handing it over, then removing the old entry.
  EOT
  type = map(object({
    client  = string
    tier    = string
    enabled = optional(bool, true)
  }))
  default = {}

  validation {
    condition     = alltrue([for k in keys(var.api_keys) : can(regex("^[A-Za-z0-9_.-]{1,100}$", k))])
    error_message = "API key names may contain only letters, digits, '_', '.' and '-'."
  }
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
