mock_provider "aws" {
  mock_resource "aws_wafv2_web_acl" {
    defaults = { arn = "arn:aws:wafv2:eu-west-1:111122223333:regional/webacl/zebros-test/abcd" }
  }
  mock_resource "aws_cloudwatch_log_group" {
    defaults = { arn = "arn:aws:logs:eu-west-1:111122223333:log-group:aws-waf-logs-zebros-test" }
  }
}

variables {
  name        = "zebros-test"
  stage_arn   = "arn:aws:apigateway:eu-west-1::/restapis/a1b2c3d4e5/stages/api"
  kms_key_arn = "arn:aws:kms:eu-west-1:111122223333:key/11111111-2222-3333-4444-555555555555"
}

run "managed_rules_rate_limit_logging_and_association" {
  command = apply

  assert {
    condition     = aws_wafv2_web_acl.this.scope == "REGIONAL"
    error_message = "API Gateway needs a REGIONAL web ACL."
  }
  assert {
    condition = toset(flatten([for r in aws_wafv2_web_acl.this.rule : [for s in r.statement : [for m in s.managed_rule_group_statement : m.name]]])) == toset([
      "AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet",
    ])
    error_message = "The common and known-bad-inputs managed rule groups must be in the ACL."
  }
  assert {
    condition     = one(flatten([for r in aws_wafv2_web_acl.this.rule : [for s in r.statement : [for b in s.rate_based_statement : b.limit]]])) == 2000
    error_message = "One IP rate-based rule with the configured limit."
  }
  assert {
    condition     = startswith(aws_cloudwatch_log_group.waf.name, "aws-waf-logs-")
    error_message = "WAF only logs to groups named aws-waf-logs-*."
  }
  assert {
    condition     = one(aws_wafv2_web_acl_logging_configuration.this.log_destination_configs) == aws_cloudwatch_log_group.waf.arn
    error_message = "The ACL must log to its log group."
  }
  assert {
    condition     = aws_wafv2_web_acl_association.stage.resource_arn == var.stage_arn
    error_message = "The ACL must be associated with the stage."
  }
}

run "lambda_arn_is_not_a_stage" {
  command = plan
  variables {
    stage_arn = "arn:aws:lambda:eu-west-1:111122223333:function:zebros-test"
  }
  expect_failures = [var.stage_arn]
}
