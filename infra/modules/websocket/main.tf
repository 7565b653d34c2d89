resource "aws_cloudwatch_log_group" "access" {
  name              = "/aws/apigateway/${var.name}/websocket-access"
  retention_in_days = var.log_retention_in_days
  kms_key_id        = var.kms_key_arn
  tags              = var.tags
}

locals {
  # Chalice's generated WebSocket stage has none of this; the package applies it to that stage
  # through its websocket_stage_settings variable (see infra/chalice_package.py).
  stage_settings = {
    access_log_destination_arn = aws_cloudwatch_log_group.access.arn
    access_log_format = jsonencode({
      requestId    = "$context.requestId"
      connectionId = "$context.connectionId"
      eventType    = "$context.eventType"
      routeKey     = "$context.routeKey"
      status       = "$context.status"
      ip           = "$context.identity.sourceIp"
      requestTime  = "$context.requestTime"
      latency      = "$context.integrationLatency"
      errorMessage = "$context.error.messageString"
    })
    logging_level          = var.logging_level
    throttling_rate_limit  = var.throttling_rate_limit
    throttling_burst_limit = var.throttling_burst_limit
  }
}
