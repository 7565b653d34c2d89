output "stage_settings" {
  description = "Access log destination and format, route logging level and throttling; pass to the package's websocket_stage_settings."
  value       = local.stage_settings
}

output "access_log_group_name" {
  description = "Log group of the WebSocket access logs."
  value       = aws_cloudwatch_log_group.access.name
}
