output "certificate_arn" {
  description = "Validated ACM certificate of the domain(s)."
  value       = aws_acm_certificate_validation.this.certificate_arn
}

output "rest_url" {
  description = "Base URL of the REST API under the custom domain."
  value       = "https://${var.domain_name}/${var.base_path}"
}

output "websocket_url" {
  description = "URL of the WebSocket API under its custom domain (null when not enabled)."
  value       = var.websocket_enabled ? "wss://${var.websocket_domain_name}" : null
}
