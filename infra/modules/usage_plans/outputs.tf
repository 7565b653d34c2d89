output "plan_name_prefix" {
  description = "Every plan is named <plan_name_prefix><tier>: the app's USAGE_PLAN_PREFIX, by which it finds the plans (their ids cannot reach the function: the plans depend on the API's stage, which depends on the function)."
  value       = "${var.name}-"
}

output "usage_plan_ids" {
  description = "Usage plan IDs by tier."
  value       = { for k, p in aws_api_gateway_usage_plan.this : k => p.id }
}

output "api_key_ids" {
  description = "API key IDs by key name (values: aws apigateway get-api-key --api-key <id> --include-value)."
  value       = { for k, key in aws_api_gateway_api_key.this : k => key.id }
}
