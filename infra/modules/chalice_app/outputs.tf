output "stage_name" {
  description = "Name of the explicit stage."
  value       = aws_api_gateway_stage.this.stage_name
}

output "stage_arn" {
  description = "ARN of the stage (WAF association, usage plans)."
  value       = aws_api_gateway_stage.this.arn
}

output "invoke_url" {
  description = "Invoke URL of the stage (without a custom domain)."
  value       = aws_api_gateway_stage.this.invoke_url
}

output "access_log_group_name" {
  description = "Log group of the stage's access logs."
  value       = aws_cloudwatch_log_group.access.name
}

output "function_log_group_names" {
  description = "Lambda log groups by Chalice function name."
  value       = { for k, g in aws_cloudwatch_log_group.function : k => g.name }
}

output "openapi_gateway_responses" {
  description = "x-amazon-apigateway-gateway-responses built from gateway_responses; pass to the package's gateway_responses."
  value       = local.openapi_gateway_responses
}
