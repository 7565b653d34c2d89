mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = { account_id = "111122223333" }
  }
  mock_resource "aws_cloudwatch_log_group" {
    defaults = { arn = "arn:aws:logs:eu-west-1:111122223333:log-group:/aws/vendedlogs/states/zebros-test-purge_organization" }
  }
  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::111122223333:role/zebros-test-purge_organization-sfn", id = "zebros-test-purge_organization-sfn" }
  }
}

variables {
  name_prefix = "zebros-test-"
  kms_key_arn = "arn:aws:kms:eu-west-1:111122223333:key/11111111-2222-3333-4444-555555555555"
  state_machines = {
    purge_organization = {
      definition_file = "tests/fixtures/purge_organization.asl.json"
      definition_substitutions = {
        purge_function_arn  = "arn:aws:lambda:eu-west-1:111122223333:function:zebros-test-purge"
        organizations_table = "zebros-test-organizations"
      }
      role_policy_json = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"lambda:InvokeFunction\",\"Resource\":\"arn:aws:lambda:eu-west-1:111122223333:function:zebros-test-purge\"}]}"
    }
  }
}

run "asl_file_rendered_logged_and_traced" {
  command = apply

  assert {
    condition     = jsondecode(aws_sfn_state_machine.this["purge_organization"].definition).States.PurgePage.Parameters.FunctionName == "arn:aws:lambda:eu-west-1:111122223333:function:zebros-test-purge"
    error_message = "The ASL file is rendered with its substitutions."
  }
  assert {
    condition     = jsondecode(aws_sfn_state_machine.this["purge_organization"].definition).StartAt == "PurgePage"
    error_message = "The definition is the repo's ASL file."
  }
  assert {
    condition = alltrue([
      one(aws_sfn_state_machine.this["purge_organization"].logging_configuration).include_execution_data,
      one(aws_sfn_state_machine.this["purge_organization"].logging_configuration).level == "ALL",
      one(aws_sfn_state_machine.this["purge_organization"].logging_configuration).log_destination == "${aws_cloudwatch_log_group.this["purge_organization"].arn}:*",
    ])
    error_message = "Executions are logged with their data to the machine's log group."
  }
  assert {
    condition     = one(aws_sfn_state_machine.this["purge_organization"].tracing_configuration).enabled
    error_message = "X-Ray tracing must be on."
  }
  assert {
    condition     = aws_iam_role_policy.task["purge_organization"].policy == var.state_machines.purge_organization.role_policy_json
    error_message = "The execution role gets the machine's own policy."
  }
  assert {
    condition     = jsondecode(aws_iam_role.this["purge_organization"].assume_role_policy).Statement[0].Condition.StringEquals["aws:SourceAccount"] == "111122223333"
    error_message = "Only Step Functions in this account may assume the role."
  }
}

run "no_state_machines_is_valid" {
  command = plan
  variables {
    state_machines = {}
  }
  assert {
    condition     = length(aws_sfn_state_machine.this) == 0
    error_message = "An empty map creates nothing."
  }
}

run "unknown_type_is_rejected" {
  command = plan
  variables {
    state_machines = {
      x = { definition_file = "tests/fixtures/purge_organization.asl.json", role_policy_json = "{\"Statement\":[]}", type = "BATCH" }
    }
  }
  expect_failures = [var.state_machines]
}
