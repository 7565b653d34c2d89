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

run "bodies_up_to_the_apps_limit_pass_and_larger_ones_are_413" {
  command = plan

  assert {
    condition     = one(flatten([for r in aws_wafv2_web_acl.this.association_config : [for b in r.request_body : [for a in b.api_gateway : a.default_size_inspection_limit]]])) == "KB_64"
    error_message = "API Gateway must forward the whole 64 KiB body to WAF."
  }
  assert {
    condition = one(flatten([for r in aws_wafv2_web_acl.this.rule : [for s in r.statement : [for c in s.size_constraint_statement : {
      op = c.comparison_operator, size = c.size, oversize = one(one(c.field_to_match).body).oversize_handling
    }]]])) == { op = "GT", size = 65536, oversize = "MATCH" }
    error_message = "One size rule blocks bodies over the app's limit, and bodies WAF cannot see whole."
  }
  assert {
    condition = contains(flatten([for r in aws_wafv2_web_acl.this.rule : [for s in r.statement : [for m in s.managed_rule_group_statement : [
      for o in m.rule_action_override : o.name if length(one(o.action_to_use).count) == 1
    ]]]]), "SizeRestrictions_BODY")
    error_message = "The core rule set's 8 KB body rule must only count."
  }
}

run "a_smaller_limit_needs_only_the_default_inspection" {
  command = plan
  variables {
    max_body_bytes = 10000
  }
  assert {
    condition     = one(flatten([for r in aws_wafv2_web_acl.this.association_config : [for b in r.request_body : [for a in b.api_gateway : a.default_size_inspection_limit]]])) == "KB_16"
    error_message = "Inspection limit is the smallest 16 KB step that covers max_body_bytes."
  }
}

run "more_than_waf_can_inspect_is_refused" {
  command = plan
  variables {
    max_body_bytes = 65537
  }
  expect_failures = [var.max_body_bytes]
}

run "lambda_arn_is_not_a_stage" {
  command = plan
  variables {
    stage_arn = "arn:aws:lambda:eu-west-1:111122223333:function:zebros-test"
  }
  expect_failures = [var.stage_arn]
}
