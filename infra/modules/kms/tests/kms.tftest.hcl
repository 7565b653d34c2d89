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
}

variables {
  alias = "zebros-test"
}

run "key_rotates_and_scopes_the_logs_service" {
  command = plan

  assert {
    condition     = aws_kms_key.this.enable_key_rotation
    error_message = "Key rotation must be on."
  }
  assert {
    condition     = aws_kms_alias.this.name == "alias/zebros-test"
    error_message = "Alias must be alias/<alias>."
  }
  assert {
    condition     = jsondecode(aws_kms_key.this.policy).Statement[1].Condition.ArnLike["kms:EncryptionContext:aws:logs:arn"] == "arn:aws:logs:eu-west-1:111122223333:log-group:*"
    error_message = "CloudWatch Logs may use the key only for this account's log groups in this region."
  }
}

run "aws_prefixed_alias_is_rejected" {
  command = plan
  variables {
    alias = "aws/zebros"
  }
  expect_failures = [var.alias]
}
