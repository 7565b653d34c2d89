variable "domain_name" {
  description = "Custom domain of the REST API, e.g. \"api.dev.zebroscrm.com\"."
  type        = string

  validation {
    condition     = can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,}$", var.domain_name))
    error_message = "domain_name must be a lowercase DNS name."
  }
}

variable "zone_id" {
  description = "Route 53 public hosted zone that holds domain_name (and websocket_domain_name)."
  type        = string

  validation {
    condition     = can(regex("^[A-Z0-9]{1,32}$", var.zone_id))
    error_message = "zone_id must be a Route 53 hosted zone ID."
  }
}

variable "rest_api_id" {
  description = "REST API mapped under the domain."
  type        = string
}

variable "stage_name" {
  description = "Stage of the REST API mapped under the domain."
  type        = string
}

variable "base_path" {
  description = "Path under the domain where the REST API is mapped; \"\" maps it at the root."
  type        = string
  default     = ""

  validation {
    condition     = can(regex("^[A-Za-z0-9._-]*$", var.base_path))
    error_message = "base_path must be empty or a single path segment."
  }
}

variable "websocket_enabled" {
  description = "Also map a WebSocket API under websocket_domain_name (once the app has WebSocket handlers)."
  type        = bool
  default     = false
}

variable "websocket_domain_name" {
  description = "Custom domain of the WebSocket API, e.g. \"ws.dev.zebroscrm.com\"; on the same certificate."
  type        = string
  default     = null

  validation {
    condition     = var.websocket_domain_name == null || can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,}$", coalesce(var.websocket_domain_name, "x.y")))
    error_message = "websocket_domain_name must be a lowercase DNS name."
  }
}

variable "websocket_api_id" {
  description = "WebSocket API mapped under websocket_domain_name."
  type        = string
  default     = null
}

variable "websocket_stage_name" {
  description = "Stage of the WebSocket API."
  type        = string
  default     = "api"
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
