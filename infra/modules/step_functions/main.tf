data "aws_caller_identity" "current" {}

resource "aws_cloudwatch_log_group" "this" {
  for_each = var.state_machines

  # The /aws/vendedlogs/ prefix keeps the log delivery resource policy small.
  name              = "/aws/vendedlogs/states/${var.name_prefix}${each.key}"
  retention_in_days = var.log_retention_in_days
  kms_key_id        = var.kms_key_arn
  tags              = var.tags
}

resource "aws_iam_role" "this" {
  for_each = var.state_machines

  name = "${var.name_prefix}${each.key}-sfn"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "states.amazonaws.com" }
      Action    = "sts:AssumeRole"
      Condition = { StringEquals = { "aws:SourceAccount" = data.aws_caller_identity.current.account_id } }
    }]
  })
  tags = var.tags
}

resource "aws_iam_role_policy" "task" {
  for_each = var.state_machines

  name   = "tasks"
  role   = aws_iam_role.this[each.key].id
  policy = each.value.role_policy_json
}

resource "aws_iam_role_policy" "observability" {
  for_each = var.state_machines
  #checkov:skip=CKV_AWS_290:CloudWatch Logs vended-delivery and X-Ray APIs have no resource-level permissions (Step Functions documents "*").
  #checkov:skip=CKV_AWS_355:CloudWatch Logs vended-delivery and X-Ray APIs have no resource-level permissions (Step Functions documents "*").

  name = "logs-and-traces"
  role = aws_iam_role.this[each.key].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid    = "ExecutionLogDelivery"
        Effect = "Allow"
        Action = [
          "logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery",
          "logs:DeleteLogDelivery", "logs:ListLogDeliveries", "logs:PutResourcePolicy",
          "logs:DescribeResourcePolicies", "logs:DescribeLogGroups",
        ]
        Resource = "*"
      },
      {
        Sid      = "XRayTraces"
        Effect   = "Allow"
        Action   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets"]
        Resource = "*"
      },
    ]
  })
}

resource "aws_sfn_state_machine" "this" {
  for_each = var.state_machines

  name       = "${var.name_prefix}${each.key}"
  type       = each.value.type
  role_arn   = aws_iam_role.this[each.key].arn
  definition = templatefile(each.value.definition_file, each.value.definition_substitutions)

  logging_configuration {
    log_destination        = "${aws_cloudwatch_log_group.this[each.key].arn}:*"
    include_execution_data = true
    level                  = "ALL"
  }

  tracing_configuration {
    enabled = true
  }

  tags = var.tags

  depends_on = [aws_iam_role_policy.observability]
}
