data "aws_region" "current" {}

locals {
  region = data.aws_region.current.name
  api    = ["ApiName", var.rest_api_name, "Stage", var.stage_name]
  # From the app's own EMF metrics: API Gateway reports a WebSocket API by its id, unknown until
  # apply, and the dashboard's body is to be known at plan.
  websocket_widgets = [
    {
      type = "metric", x = 0, y = 18, width = 8, height = 6
      properties = {
        title = "WebSocket connections", region = local.region, view = "timeSeries", period = 60, stat = "Sum"
        metrics = [
          [var.metrics_namespace, "WebSocketConnected", "service", var.metrics_service, { label = "connected" }],
          [var.metrics_namespace, "WebSocketConnectRefused", "service", var.metrics_service, { label = "refused" }],
          [var.metrics_namespace, "WebSocketConnectionsGone", "service", var.metrics_service, { label = "gone (410)" }],
        ]
      }
    },
    {
      type = "metric", x = 8, y = 18, width = 8, height = 6
      properties = {
        title = "WebSocket messages", region = local.region, view = "timeSeries", period = 60, stat = "Sum"
        metrics = [
          [var.metrics_namespace, "WebSocketMessageReceived", "service", var.metrics_service, { label = "received" }],
          [var.metrics_namespace, "WebSocketMessagesSent", "service", var.metrics_service, { label = "events sent" }],
        ]
      }
    },
    {
      type = "metric", x = 16, y = 18, width = 8, height = 6
      properties = {
        title = "Fan-out duration (ms)", region = local.region, view = "timeSeries", period = 60
        metrics = [
          [var.metrics_namespace, "FanOutDuration", "service", var.metrics_service, { stat = "p50", label = "p50" }],
          [var.metrics_namespace, "FanOutDuration", "service", var.metrics_service, { stat = "p99", label = "p99" }],
        ]
      }
    },
  ]

  # Event delivery from the audit_logs stream (event_bus module): consumer errors and how far
  # behind it runs, events delivered, failed batches in the dead-letter queue.
  event_widgets = [
    {
      type = "metric", x = 0, y = 24, width = 12, height = 6
      properties = {
        title = "Event delivery", region = local.region, view = "timeSeries", period = 60, stat = "Sum"
        metrics = concat(
          [[var.metrics_namespace, "DomainEventsDelivered", "service", var.metrics_service, { label = "events delivered" }]],
          [for k, f in var.stream_consumers : ["AWS/Lambda", "Errors", "FunctionName", f, { label = "${k} errors", yAxis = "right" }]],
          var.event_dead_letter_queue_name == null ? [] : [
            ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", var.event_dead_letter_queue_name, { stat = "Maximum", label = "failed batches (DLQ)", yAxis = "right" }],
          ],
        )
      }
    },
    {
      type = "metric", x = 12, y = 24, width = 12, height = 6
      properties = {
        title   = "Event stream iterator age (ms)", region = local.region, view = "timeSeries", period = 60, stat = "Maximum"
        metrics = [for k, f in var.stream_consumers : ["AWS/Lambda", "IteratorAge", "FunctionName", f, { label = k }]]
      }
    },
  ]

  dashboard_widgets = concat(
    [
      {
        type = "metric", x = 0, y = 0, width = 12, height = 6
        properties = {
          title = "API latency (ms)", region = local.region, view = "timeSeries", period = 60
          metrics = [
            concat(["AWS/ApiGateway", "Latency"], local.api, [{ stat = "p50", label = "p50" }]),
            concat(["AWS/ApiGateway", "Latency"], local.api, [{ stat = "p99", label = "p99" }]),
          ]
        }
      },
      {
        type = "metric", x = 12, y = 0, width = 12, height = 6
        properties = {
          title = "API errors", region = local.region, view = "timeSeries", period = 60, stat = "Sum"
          metrics = [
            concat(["AWS/ApiGateway", "4XXError"], local.api, [{ label = "4xx" }]),
            concat(["AWS/ApiGateway", "5XXError"], local.api, [{ label = "5xx" }]),
            concat(["AWS/ApiGateway", "Count"], local.api, [{ label = "requests", yAxis = "right" }]),
          ]
        }
      },
      {
        type = "metric", x = 0, y = 6, width = 8, height = 6
        properties = {
          title   = "Lambda errors", region = local.region, view = "timeSeries", period = 60, stat = "Sum"
          metrics = [for k, f in var.function_names : ["AWS/Lambda", "Errors", "FunctionName", f, { label = k }]]
        }
      },
      {
        type = "metric", x = 8, y = 6, width = 8, height = 6
        properties = {
          title   = "Lambda duration p99 (ms)", region = local.region, view = "timeSeries", period = 60, stat = "p99"
          metrics = [for k, f in var.function_names : ["AWS/Lambda", "Duration", "FunctionName", f, { label = k }]]
        }
      },
      {
        type = "metric", x = 16, y = 6, width = 8, height = 6
        properties = {
          title   = "Lambda throttles", region = local.region, view = "timeSeries", period = 60, stat = "Sum"
          metrics = [for k, f in var.function_names : ["AWS/Lambda", "Throttles", "FunctionName", f, { label = k }]]
        }
      },
      {
        type = "metric", x = 0, y = 12, width = 12, height = 6
        properties = {
          title = "DynamoDB throttled reads and writes", region = local.region, view = "timeSeries", period = 60, stat = "Sum"
          # concat, not flatten: flatten is recursive and would dissolve each metric row into strings.
          metrics = concat(
            [for k, t in var.table_names : ["AWS/DynamoDB", "ReadThrottleEvents", "TableName", t, { label = "${k} read" }]],
            [for k, t in var.table_names : ["AWS/DynamoDB", "WriteThrottleEvents", "TableName", t, { label = "${k} write" }]],
          )
        }
      },
    ],
    # A for expression, not a conditional: the widgets differ in shape.
    [for widget in local.websocket_widgets : widget if var.websocket_enabled],
    [for widget in local.event_widgets : widget if length(var.stream_consumers) > 0],
    length(var.business_metrics) == 0 ? [] : [
      {
        type = "metric", x = 12, y = 12, width = 12, height = 6
        properties = {
          title   = "Business events (${var.metrics_namespace})", region = local.region, view = "timeSeries", period = 300, stat = "Sum"
          metrics = [for m in var.business_metrics : [var.metrics_namespace, m, "service", var.metrics_service]]
        }
      },
    ],
  )
}

resource "aws_cloudwatch_dashboard" "this" {
  dashboard_name = var.name
  dashboard_body = jsonencode({ widgets = local.dashboard_widgets })
}

resource "aws_sns_topic" "alarms" {
  name              = "${var.name}-alarms"
  kms_master_key_id = var.kms_key_arn
  tags              = var.tags
}

resource "aws_sns_topic_subscription" "alarms" {
  for_each = { for s in var.alarm_subscriptions : "${s.protocol}:${s.endpoint}" => s }

  topic_arn = aws_sns_topic.alarms.arn
  protocol  = each.value.protocol
  endpoint  = each.value.endpoint
}

# ------------------------------------------------------------------ alarms

resource "aws_cloudwatch_metric_alarm" "api_5xx" {
  alarm_name          = "${var.name}-api-5xx"
  alarm_description   = "The API returned ${var.server_error_threshold}+ server errors in 5 minutes."
  namespace           = "AWS/ApiGateway"
  metric_name         = "5XXError"
  dimensions          = { ApiName = var.rest_api_name, Stage = var.stage_name }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  threshold           = var.server_error_threshold
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "api_latency_p99" {
  alarm_name          = "${var.name}-api-latency-p99"
  alarm_description   = "The API's p99 latency is above ${var.latency_p99_threshold_ms} ms."
  namespace           = "AWS/ApiGateway"
  metric_name         = "Latency"
  dimensions          = { ApiName = var.rest_api_name, Stage = var.stage_name }
  extended_statistic  = "p99"
  period              = 60
  evaluation_periods  = 5
  datapoints_to_alarm = 3
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.latency_p99_threshold_ms
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
  tags                = var.tags
}

# A job execution that failed (after its retries; its job shows the reason) or timed out.
resource "aws_cloudwatch_metric_alarm" "executions_failed" {
  for_each = { for pair in setproduct(keys(var.state_machine_arns), ["ExecutionsFailed", "ExecutionsTimedOut"]) : "${pair[0]}-${pair[1]}" => pair }

  alarm_name          = "${var.name}-states-${each.value[0]}-${lower(trimprefix(each.value[1], "Executions"))}"
  alarm_description   = "Executions of the ${each.value[0]} state machine ${lower(trimprefix(each.value[1], "Executions"))} (see the job's reason and the execution's history)."
  namespace           = "AWS/States"
  metric_name         = each.value[1]
  dimensions          = { StateMachineArn = var.state_machine_arns[each.value[0]] }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  threshold           = 1
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "lambda_errors" {
  for_each = var.function_names

  alarm_name          = "${var.name}-lambda-errors-${each.key}"
  alarm_description   = "${each.value} failed ${var.lambda_error_threshold}+ times in 5 minutes."
  namespace           = "AWS/Lambda"
  metric_name         = "Errors"
  dimensions          = { FunctionName = each.value }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  threshold           = var.lambda_error_threshold
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "lambda_throttles" {
  for_each = var.function_names

  alarm_name          = "${var.name}-lambda-throttles-${each.key}"
  alarm_description   = "${each.value} was throttled (account or reserved concurrency exhausted)."
  namespace           = "AWS/Lambda"
  metric_name         = "Throttles"
  dimensions          = { FunctionName = each.value }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "dynamodb_throttles" {
  for_each = var.table_names

  alarm_name          = "${var.name}-dynamodb-throttles-${each.key}"
  alarm_description   = "${each.value} throttled reads or writes (on-demand tables throttle past 2x their previous peak)."
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]

  metric_query {
    id          = "throttles"
    expression  = "reads + writes"
    label       = "Throttle events"
    return_data = true
  }

  metric_query {
    id = "reads"
    metric {
      namespace   = "AWS/DynamoDB"
      metric_name = "ReadThrottleEvents"
      dimensions  = { TableName = each.value }
      stat        = "Sum"
      period      = 300
    }
  }

  metric_query {
    id = "writes"
    metric {
      namespace   = "AWS/DynamoDB"
      metric_name = "WriteThrottleEvents"
      dimensions  = { TableName = each.value }
      stat        = "Sum"
      period      = 300
    }
  }

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "stream_iterator_age" {
  for_each = var.stream_consumers

  alarm_name          = "${var.name}-stream-iterator-age-${each.key}"
  alarm_description   = "${each.value} is more than ${var.iterator_age_threshold_ms} ms behind its stream: events reach consumers late (a failing batch being retried, or too slow a consumer)."
  namespace           = "AWS/Lambda"
  metric_name         = "IteratorAge"
  dimensions          = { FunctionName = each.value }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 5
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.iterator_age_threshold_ms
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
  tags                = var.tags
}

# Consumer errors are alarmed with every function's (lambda_errors); a message here means a batch
# was given up on: its events reached no consumer (docs/deploy.md, "Events").
resource "aws_cloudwatch_metric_alarm" "event_dead_letters" {
  count = var.event_dead_letter_queue_name == null ? 0 : 1

  alarm_name          = "${var.name}-event-dead-letters"
  alarm_description   = "Failed event batches are waiting in ${coalesce(var.event_dead_letter_queue_name, "-")}: their events were not delivered."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = var.event_dead_letter_queue_name }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
  tags                = var.tags
}
