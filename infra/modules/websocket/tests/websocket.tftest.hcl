mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = { account_id = "111122223333" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
  mock_data "aws_region" {
    defaults = { name = "eu-west-1" }
  }
  mock_resource "aws_cloudwatch_log_group" {
    defaults = { arn = "arn:aws:logs:eu-west-1:111122223333:log-group:/aws/apigateway/zebros-test/websocket-access" }
  }
}

variables {
  name                          = "zebros-test"
  kms_key_arn                   = "arn:aws:kms:eu-west-1:111122223333:key/11111111-2222-3333-4444-555555555555"
  api_id                        = "abc123defg"
  manage_connections_role_names = { websocket_message = "zebros-test-websocket_message", deliver_events = "zebros-test-deliver_events" }
}

run "stage_settings_log_and_throttle" {
  command = apply

  assert {
    condition     = output.stage_settings.access_log_destination_arn == aws_cloudwatch_log_group.access.arn
    error_message = "Access logs go to the module's log group."
  }
  assert {
    condition     = jsondecode(output.stage_settings.access_log_format).connectionId == "$context.connectionId"
    error_message = "Access logs are JSON with the connection id."
  }
  assert {
    condition     = output.stage_settings.logging_level == "ERROR" && output.stage_settings.throttling_rate_limit == 100 && output.stage_settings.throttling_burst_limit == 200
    error_message = "Routes are logged at ERROR and throttled."
  }
  assert {
    condition     = aws_cloudwatch_log_group.access.kms_key_id == var.kms_key_arn && aws_cloudwatch_log_group.access.retention_in_days == 365
    error_message = "The access log group is encrypted and retained."
  }
}

run "debug_logging_is_rejected" {
  command = plan
  variables {
    logging_level = "DEBUG"
  }
  expect_failures = [var.logging_level]
}

run "manage_connections_is_scoped_to_this_api_and_stage" {
  command = apply

  assert {
    condition     = toset(keys(aws_iam_role_policy.manage_connections)) == toset(["websocket_message", "deliver_events"])
    error_message = "Only the listed functions may manage connections."
  }
  assert {
    condition = alltrue([
      for p in aws_iam_role_policy.manage_connections : alltrue([
        for r in jsondecode(p.policy).Statement[0].Resource : can(regex("^arn:aws:execute-api:eu-west-1:[0-9]+:abc123defg/api/(POST|DELETE|GET)/@connections/\\*$", r))
      ]) && jsondecode(p.policy).Statement[0].Action == ["execute-api:ManageConnections"]
    ])
    error_message = "ManageConnections is granted on this API's stage connections only."
  }
}
