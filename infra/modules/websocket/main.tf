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

data "aws_partition" "current" {}
data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

locals {
  connections_arn = "arn:${data.aws_partition.current.partition}:execute-api:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:${var.api_id}/${var.stage_name}"
}

# Posting to, closing and describing this API's connections, and nothing else's: the functions
# that answer clients (the message handler) and fan events out (the stream consumer).
resource "aws_iam_role_policy" "manage_connections" {
  for_each = var.manage_connections_role_names

  name = "${var.name}-${each.key}-manage-connections"
  role = each.value
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid    = "ManageThisApisConnections"
      Effect = "Allow"
      Action = ["execute-api:ManageConnections"]
      Resource = [
        "${local.connections_arn}/POST/@connections/*",
        "${local.connections_arn}/DELETE/@connections/*",
        "${local.connections_arn}/GET/@connections/*",
      ]
    }]
  })
}
