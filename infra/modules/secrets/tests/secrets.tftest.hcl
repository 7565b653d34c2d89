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
  mock_resource "aws_secretsmanager_secret" {
    defaults = { arn = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:zebros-test/jwt-signing-key-AbCdEf" }
  }
  mock_resource "aws_kms_key" {
    defaults = { arn = "arn:aws:kms:eu-west-1:111122223333:key/11111111-2222-3333-4444-555555555555" }
  }
}

variables {
  signing_key_secret_name = "zebros-test/jwt-signing-key"
  reader_role_arns = [
    "arn:aws:iam::111122223333:role/zebros-test-api_handler",
    "arn:aws:iam::111122223333:role/zebros-test-jwt_authorizer",
  ]
}

run "only_readers_get_the_value" {
  command = apply

  assert {
    condition     = aws_secretsmanager_secret.signing_key.name == "zebros-test/jwt-signing-key"
    error_message = "The secret must carry the name the app reads from SIGNING_KEY_SECRET_ID."
  }
  assert {
    condition     = aws_secretsmanager_secret.signing_key.kms_key_id == aws_kms_key.signing_key.arn
    error_message = "The secret must be encrypted with its own customer managed key."
  }
  assert {
    condition     = jsondecode(aws_secretsmanager_secret_policy.signing_key.policy).Statement[0].Effect == "Deny"
    error_message = "The resource policy must deny everyone but the readers."
  }
  assert {
    condition     = toset(jsondecode(aws_secretsmanager_secret_policy.signing_key.policy).Statement[0].Condition.ArnNotEquals["aws:PrincipalArn"]) == toset(var.reader_role_arns)
    error_message = "Exactly the reader roles are exempt from the deny."
  }
  assert {
    condition     = jsondecode(aws_kms_key.signing_key.policy).Statement[1].Condition.StringEquals["kms:ViaService"] == "secretsmanager.eu-west-1.amazonaws.com"
    error_message = "Readers may decrypt only through Secrets Manager."
  }
  assert {
    condition     = aws_kms_alias.signing_key.name == "alias/zebros-test/jwt-signing-key"
    error_message = "The key alias follows the secret name."
  }
}

run "no_readers_is_rejected" {
  command = plan
  variables {
    reader_role_arns = []
  }
  expect_failures = [var.reader_role_arns]
}
