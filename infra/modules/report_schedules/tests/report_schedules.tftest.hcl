mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{}" }
  }
}

variables {
  name                = "zebros-test"
  region              = "eu-west-1"
  target_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:zebros-test-run_scheduled_report"
  manager_role_names  = ["zebros-test-api_handler"]
}

run "group_role_and_grants" {
  command = plan

  assert {
    condition     = aws_scheduler_schedule_group.reports.name == "zebros-test-reports"
    error_message = "the group is named after the environment"
  }
  assert {
    condition     = aws_iam_role.scheduler.name == "zebros-test-report-scheduler"
    error_message = "the scheduler role is named after the environment"
  }
  assert {
    condition     = keys(aws_iam_role_policy.manage_schedules) == ["zebros-test-api_handler"]
    error_message = "each manager role gets the schedule grants"
  }
  assert {
    condition     = local.schedules_arn_prefix == "arn:aws:scheduler:eu-west-1:123456789012:schedule/zebros-test-reports/"
    error_message = "grants are scoped to the group's schedules"
  }
}

run "refuses_a_target_that_is_no_function" {
  command = plan

  variables {
    target_function_arn = "arn:aws:sqs:eu-west-1:123456789012:queue"
  }
  expect_failures = [var.target_function_arn]
}
