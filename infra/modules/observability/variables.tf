variable "name" {
  description = "Name of the dashboard, SNS topic and alarm prefix, e.g. \"zebros-dev\"."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,100}$", var.name))
    error_message = "name may contain only letters, digits, '_' and '-'."
  }
}

variable "rest_api_name" {
  description = "Name of the REST API (API Gateway metric dimension ApiName), e.g. \"zebros-dev\"."
  type        = string
}

variable "stage_name" {
  description = "Stage of the REST API (metric dimension Stage)."
  type        = string
}

variable "websocket_enabled" {
  description = "Chart the WebSocket API: connections, messages, fan-out duration (the app's metrics)."
  type        = bool
  default     = false
}

variable "function_names" {
  description = "Lambda function names by Chalice name."
  type        = map(string)
}

variable "stream_consumers" {
  description = "Functions fed by a DynamoDB stream (Chalice name => function name): their iterator age is alarmed and charted with event delivery."
  type        = map(string)
  default     = {}
}

variable "state_machine_arns" {
  description = "Job state machines (name => ARN, step_functions module): each failed, timed-out or aborted-by-error execution is alarmed."
  type        = map(string)
  default     = {}
}

variable "event_dead_letter_queue_name" {
  description = "SQS queue where the stream mappings record failed batches (event_bus module); null: no queue to watch."
  type        = string
  default     = null
}

variable "iterator_age_threshold_ms" {
  description = "Alarm when a stream consumer's oldest unprocessed record is older than this for 5 minutes."
  type        = number
  default     = 60000

  validation {
    condition     = var.iterator_age_threshold_ms > 0
    error_message = "iterator_age_threshold_ms must be positive."
  }
}

variable "table_names" {
  description = "DynamoDB table names by logical name."
  type        = map(string)
}

variable "metrics_namespace" {
  description = "Namespace of the app's EMF metrics (POWERTOOLS_METRICS_NAMESPACE)."
  type        = string
  default     = "Zebros"
}

variable "metrics_service" {
  description = "Value of the EMF \"service\" dimension (POWERTOOLS_SERVICE_NAME)."
  type        = string
}

variable "business_metrics" {
  description = "EMF business metric names to chart (Count, summed), e.g. CustomerCreated."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for m in var.business_metrics : can(regex("^[A-Za-z0-9_.-]{1,255}$", m))])
    error_message = "Metric names may contain only letters, digits, '_', '.' and '-'."
  }
}

variable "latency_p99_threshold_ms" {
  description = "Alarm when the API's p99 latency stays above this many milliseconds for 3 of 5 minutes."
  type        = number
  default     = 2500

  validation {
    condition     = var.latency_p99_threshold_ms > 0 && var.latency_p99_threshold_ms <= 29000
    error_message = "latency_p99_threshold_ms must be 1..29000 (API Gateway's integration limit)."
  }
}

variable "server_error_threshold" {
  description = "Alarm when the API returns at least this many 5xx responses in 5 minutes."
  type        = number
  default     = 5

  validation {
    condition     = var.server_error_threshold >= 1
    error_message = "server_error_threshold must be at least 1."
  }
}

variable "lambda_error_threshold" {
  description = "Alarm when a function has at least this many errors in 5 minutes."
  type        = number
  default     = 1

  validation {
    condition     = var.lambda_error_threshold >= 1
    error_message = "lambda_error_threshold must be at least 1."
  }
}

variable "kms_key_arn" {
  description = "KMS key for the SNS topic (its policy must let CloudWatch alarms use it: kms module)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN."
  }
}

variable "alarm_subscriptions" {
  description = "Who gets the alarms: SNS subscriptions ({protocol, endpoint}), e.g. an on-call email or an HTTPS webhook."
  type = list(object({
    protocol = string
    endpoint = string
  }))
  default = []

  validation {
    condition     = alltrue([for s in var.alarm_subscriptions : contains(["email", "email-json", "https", "sqs", "lambda", "sms"], s.protocol)])
    error_message = "protocol must be email, email-json, https, sqs, lambda or sms."
  }
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
