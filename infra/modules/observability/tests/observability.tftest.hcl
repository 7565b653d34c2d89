mock_provider "aws" {
  mock_data "aws_region" {
    defaults = { name = "eu-west-1" }
  }
  mock_resource "aws_sns_topic" {
    defaults = { arn = "arn:aws:sns:eu-west-1:111122223333:zebros-test-alarms" }
  }
}

variables {
  name             = "zebros-test"
  rest_api_name    = "zebros-test"
  stage_name       = "api"
  function_names   = { api_handler = "zebros-test", jwt_authorizer = "zebros-test-jwt_authorizer" }
  table_names      = { users = "zebros-test-users", customers = "zebros-test-customers" }
  metrics_service  = "zebros-api"
  business_metrics = ["CustomerCreated", "LoginFailed"]
  kms_key_arn      = "arn:aws:kms:eu-west-1:111122223333:key/11111111-2222-3333-4444-555555555555"
}

run "dashboard_covers_api_lambda_dynamodb_and_business_metrics" {
  command = apply

  assert {
    condition     = toset([for w in jsondecode(aws_cloudwatch_dashboard.this.dashboard_body).widgets : w.properties.title]) == toset(["API latency (ms)", "API errors", "Lambda errors", "Lambda duration p99 (ms)", "Lambda throttles", "DynamoDB throttled reads and writes", "Business events (Zebros)"])
    error_message = "The dashboard must chart latency, 4xx/5xx, Lambda errors/duration/throttles, DynamoDB throttles and business events."
  }
  assert {
    condition     = toset([for m in jsondecode(aws_cloudwatch_dashboard.this.dashboard_body).widgets[0].properties.metrics : m[6].stat]) == toset(["p50", "p99"])
    error_message = "Latency is charted at p50 and p99."
  }
  assert {
    condition     = [for m in jsondecode(aws_cloudwatch_dashboard.this.dashboard_body).widgets[5].properties.metrics : "${m[1]} ${m[3]} ${m[4].label}"] == ["ReadThrottleEvents zebros-test-customers customers read", "ReadThrottleEvents zebros-test-users users read", "WriteThrottleEvents zebros-test-customers customers write", "WriteThrottleEvents zebros-test-users users write"]
    error_message = "DynamoDB throttles are one metric row per table and direction ([namespace, metric, TableName, table, {label}])."
  }
  assert {
    condition     = contains([for m in jsondecode(aws_cloudwatch_dashboard.this.dashboard_body).widgets[6].properties.metrics : m[1]], "CustomerCreated")
    error_message = "Business metrics come from the app's EMF namespace."
  }
  assert {
    condition     = aws_sns_topic.alarms.kms_master_key_id == var.kms_key_arn
    error_message = "The alarm topic is encrypted."
  }
  assert {
    condition     = length(output.alarm_names) == 2 + 2 * 2 + 2
    error_message = "5xx and latency alarms, errors and throttles per function, throttles per table."
  }
  assert {
    condition     = alltrue([for a in values(aws_cloudwatch_metric_alarm.dynamodb_throttles) : a.alarm_actions == toset([aws_sns_topic.alarms.arn])])
    error_message = "Alarms notify the topic."
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.api_latency_p99.extended_statistic == "p99" && aws_cloudwatch_metric_alarm.api_latency_p99.threshold == 2500
    error_message = "The latency alarm watches p99."
  }
}

run "no_business_metrics_no_widget" {
  command = plan
  variables {
    business_metrics = []
  }
  assert {
    condition     = length(jsondecode(aws_cloudwatch_dashboard.this.dashboard_body).widgets) == 6
    error_message = "The business widget is left out when there is nothing to chart."
  }
}

run "websocket_widgets_chart_connections_messages_and_fan_out" {
  command = apply
  variables {
    websocket_enabled = true
  }

  assert {
    condition     = length(setintersection([for w in jsondecode(aws_cloudwatch_dashboard.this.dashboard_body).widgets : w.properties.title], ["WebSocket connections", "WebSocket messages", "Fan-out duration (ms)"])) == 3
    error_message = "With a WebSocket API the dashboard charts its connections, messages and fan-out duration."
  }
  assert {
    condition     = contains([for w in jsondecode(aws_cloudwatch_dashboard.this.dashboard_body).widgets : w.properties.metrics[0][1] if w.properties.title == "Fan-out duration (ms)"], "FanOutDuration")
    error_message = "Fan-out duration comes from the app's EMF namespace."
  }
}

run "event_delivery_is_charted_and_alarmed" {
  command = apply
  variables {
    stream_consumers             = { deliver_events = "zebros-test-deliver_events" }
    event_dead_letter_queue_name = "zebros-test-event-delivery-dlq"
  }

  assert {
    condition     = length(setintersection([for w in jsondecode(aws_cloudwatch_dashboard.this.dashboard_body).widgets : w.properties.title], ["Event delivery", "Event stream iterator age (ms)"])) == 2
    error_message = "With a stream consumer the dashboard charts event delivery and iterator age."
  }
  assert {
    condition = toset(flatten([
      for w in jsondecode(aws_cloudwatch_dashboard.this.dashboard_body).widgets : [for m in w.properties.metrics : m[1]] if w.properties.title == "Event delivery"
    ])) == toset(["DomainEventsDelivered", "Errors", "ApproximateNumberOfMessagesVisible"])
    error_message = "Event delivery charts events delivered, consumer errors and the dead-letter queue."
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.stream_iterator_age["deliver_events"].dimensions.FunctionName == "zebros-test-deliver_events" && aws_cloudwatch_metric_alarm.stream_iterator_age["deliver_events"].statistic == "Maximum"
    error_message = "The consumer's iterator age (its oldest record) is alarmed."
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.event_dead_letters[0].dimensions.QueueName == "zebros-test-event-delivery-dlq" && aws_cloudwatch_metric_alarm.event_dead_letters[0].threshold == 0
    error_message = "Any failed batch in the dead-letter queue raises the alarm."
  }
  assert {
    condition     = contains(keys(aws_cloudwatch_metric_alarm.lambda_errors), "api_handler")
    error_message = "Consumer errors are alarmed with every function's errors."
  }
}

run "no_stream_consumer_no_event_widgets_or_alarms" {
  command = apply

  assert {
    condition     = length([for w in jsondecode(aws_cloudwatch_dashboard.this.dashboard_body).widgets : w if startswith(w.properties.title, "Event")]) == 0 && length(aws_cloudwatch_metric_alarm.stream_iterator_age) == 0 && length(aws_cloudwatch_metric_alarm.event_dead_letters) == 0
    error_message = "Without stream consumers nothing about events is charted or alarmed."
  }
}
