variable "name" {
  description = "Name of the deployment, used for log groups and IAM policies, e.g. \"zebros-dev\"."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,40}$", var.name))
    error_message = "name must be lowercase letters, digits and '-', 2..41 characters."
  }
}

variable "rest_api_id" {
  description = "ID of the REST API from the generated Chalice package (module output rest_api_id)."
  type        = string
}

variable "deployment_id" {
  description = "Deployment of the current API body (package output rest_api_deployment_id)."
  type        = string
}

variable "stage_name" {
  description = "API Gateway stage; must equal api_gateway_stage in .chalice/config.json."
  type        = string
  default     = "api"

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,128}$", var.stage_name))
    error_message = "stage_name may contain only letters, digits, '_' and '-'."
  }
}

variable "functions" {
  description = "Lambda functions of the package by Chalice name (package output functions)."
  type = map(object({
    function_name = string
    arn           = string
    role_name     = string
    role_arn      = string
    kind          = string
  }))

  validation {
    condition     = alltrue([for f in values(var.functions) : contains(["api", "data"], f.kind)])
    error_message = "Function kind must be api or data."
  }
}

variable "function_grants" {
  description = <<-EOT
    What each function may reach beyond its logs and X-Ray, by Chalice function name. Functions
    not listed get nothing more (least privilege: a new handler must be granted here).
    dynamodb: every app table and index; tables: the same on the named tables only; read_tables:
    GetItem and BatchGetItem on the named tables (keys of table_arns). jobs: start and stop executions of
    job_state_machine_arns. query_indexes: Query on "<table>/<index>"; api_keys:
    create, attach and delete API Gateway keys (organization API keys).
  EOT
  type = map(object({
    dynamodb    = optional(bool, false)
    tables      = optional(list(string), [])
    read_tables = optional(list(string), [])
    signing_key = optional(bool, false)
    ses         = optional(bool, false)
    jobs        = optional(bool, false)
    # Query on the named indexes only, "<table>/<index>".
    query_indexes = optional(list(string), [])
    # Issue and delete organization API keys in API Gateway and attach them to usage plans.
    api_keys = optional(bool, false)
  }))
  default = {}
}

variable "job_state_machine_arns" {
  description = "The job state machines (step_functions module output state_machine_arns) functions granted jobs may start and stop."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for a in values(var.job_state_machine_arns) : can(regex("^arn:aws[a-z-]*:states:[a-z0-9-]+:[0-9]{12}:stateMachine:", a))])
    error_message = "job_state_machine_arns must be state machine ARNs."
  }
}

variable "table_arns" {
  description = "ARNs of the app's DynamoDB tables by logical name (dynamodb module output table_arns)."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for a in values(var.table_arns) : can(regex("^arn:aws[a-z-]*:dynamodb:[a-z0-9-]+:[0-9]{12}:table/", a))])
    error_message = "table_arns must be DynamoDB table ARNs."
  }
}

variable "data_kms_key_arn" {
  description = "KMS key that encrypts the tables and the log groups."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:", var.data_kms_key_arn))
    error_message = "data_kms_key_arn must be a KMS key ARN."
  }
}

variable "signing_key_secret_arn" {
  description = "ARN of the JWT signing-key secret (secrets module); null grants it to nobody."
  type        = string
  default     = null
}

variable "ses_identity_arns" {
  description = "SES identities the functions granted ses may send from (password-reset mail); empty grants nothing."
  type        = list(string)
  default     = []
}

variable "log_retention_in_days" {
  description = "Retention of the access, execution and Lambda log groups."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_in_days)
    error_message = "log_retention_in_days must be a value CloudWatch Logs accepts."
  }
}

variable "logging_level" {
  description = "API Gateway execution logging level for every method."
  type        = string
  default     = "ERROR"

  validation {
    condition     = contains(["OFF", "ERROR", "INFO"], var.logging_level)
    error_message = "logging_level must be OFF, ERROR or INFO."
  }
}

variable "throttling_rate_limit" {
  description = "Stage-wide steady-state requests per second (usage plans throttle per API key below this)."
  type        = number
  default     = 100

  validation {
    condition     = var.throttling_rate_limit > 0
    error_message = "throttling_rate_limit must be positive."
  }
}

variable "throttling_burst_limit" {
  description = "Stage-wide burst of requests."
  type        = number
  default     = 200

  validation {
    condition     = var.throttling_burst_limit > 0 && floor(var.throttling_burst_limit) == var.throttling_burst_limit
    error_message = "throttling_burst_limit must be a positive whole number."
  }
}

variable "xray_tracing_enabled" {
  description = "X-Ray tracing on the stage (the functions trace too: xray in .chalice/config.json)."
  type        = bool
  default     = true
}

variable "gateway_responses" {
  description = "chalicelib/platform/routes/gateway_responses.json decoded: gateway response type => {type (the problem type URI), status (null keeps the default), title, detail, headers}."
  type = map(object({
    type    = string
    status  = optional(number)
    title   = string
    detail  = string
    headers = optional(map(string), {})
  }))
  default = {}

  validation {
    condition = alltrue([for k in keys(var.gateway_responses) : contains([
      "ACCESS_DENIED", "API_CONFIGURATION_ERROR", "AUTHORIZER_CONFIGURATION_ERROR", "AUTHORIZER_FAILURE",
      "BAD_REQUEST_PARAMETERS", "BAD_REQUEST_BODY", "DEFAULT_4XX", "DEFAULT_5XX", "EXPIRED_TOKEN",
      "INTEGRATION_FAILURE", "INTEGRATION_TIMEOUT", "INVALID_API_KEY", "INVALID_SIGNATURE",
      "MISSING_AUTHENTICATION_TOKEN", "QUOTA_EXCEEDED", "REQUEST_TOO_LARGE", "RESOURCE_NOT_FOUND",
      "THROTTLED", "UNAUTHORIZED", "UNSUPPORTED_MEDIA_TYPE", "WAF_FILTERED",
    ], k)])
    error_message = "gateway_responses keys must be API Gateway response types."
  }
}

variable "api_gateway_account_enabled" {
  description = "Manage the region's API Gateway account settings (the CloudWatch role execution logging needs). One environment per account and region should own it."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
