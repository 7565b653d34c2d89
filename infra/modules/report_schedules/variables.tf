variable "name" {
  description = "Name prefix of the schedule group and the scheduler role (zebros-<environment>)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,40}$", var.name))
    error_message = "name must be 2 to 41 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "region" {
  description = "Region of the schedules (their ARNs scope the policies)."
  type        = string
}

variable "target_function_arn" {
  description = "ARN of the function every schedule invokes (the app's run_scheduled_report)."
  type        = string

  validation {
    condition     = can(regex("^arn:[a-z-]+:lambda:[a-z0-9-]+:[0-9]{12}:function:[A-Za-z0-9_-]+$", var.target_function_arn))
    error_message = "target_function_arn must be a Lambda function ARN."
  }
}

variable "manager_role_names" {
  description = "Roles of the functions that create, update and delete report schedules (the API handler)."
  type        = list(string)
}
