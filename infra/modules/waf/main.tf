locals {
  # The smallest body inspection limit (16 KB steps) that covers max_body_bytes.
  inspection_limit = "KB_${ceil(var.max_body_bytes / 16384) * 16}"
}

resource "aws_wafv2_web_acl" "this" {
  name        = var.name
  description = "Protects the ${var.name} REST API stage"
  scope       = "REGIONAL"

  default_action {
    allow {}
  }

  # Per-IP flood protection in front of API Gateway's per-stage and per-key throttling.
  rule {
    name     = "rate-limit-per-ip"
    priority = 1

    action {
      block {}
    }

    statement {
      rate_based_statement {
        limit              = var.rate_limit_per_ip
        aggregate_key_type = "IP"
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${var.name}-rate-limit-per-ip"
      sampled_requests_enabled   = true
    }
  }

  # The body limit is the app's, not the core rule set's 8 KB (SizeRestrictions_BODY, counted
  # below): bodies over max_body_bytes are refused, and so is any body too large for WAF to see
  # whole (oversize MATCH), so nothing beyond the inspection limit reaches the app uninspected.
  rule {
    name     = "body-size-limit"
    priority = 2

    action {
      block {
        custom_response {
          response_code            = 413
          custom_response_body_key = "payload-too-large"
        }
      }
    }

    statement {
      size_constraint_statement {
        comparison_operator = "GT"
        size                = var.max_body_bytes

        field_to_match {
          body {
            oversize_handling = "MATCH"
          }
        }

        text_transformation {
          priority = 0
          type     = "NONE"
        }
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${var.name}-body-size-limit"
      sampled_requests_enabled   = true
    }
  }

  # Managed rule groups are written out (not generated) so scanners can see them.
  rule {
    name     = "AWSManagedRulesCommonRuleSet"
    priority = 10

    override_action {
      none {}
    }

    statement {
      managed_rule_group_statement {
        name        = "AWSManagedRulesCommonRuleSet"
        vendor_name = "AWS"

        dynamic "rule_action_override" {
          for_each = toset(concat(["SizeRestrictions_BODY"], var.common_rule_set_excluded_rules))
          content {
            name = rule_action_override.value
            action_to_use {
              count {}
            }
          }
        }
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${var.name}-AWSManagedRulesCommonRuleSet"
      sampled_requests_enabled   = true
    }
  }

  # Includes the Log4j (CVE-2021-44228) lookups.
  rule {
    name     = "AWSManagedRulesKnownBadInputsRuleSet"
    priority = 20

    override_action {
      none {}
    }

    statement {
      managed_rule_group_statement {
        name        = "AWSManagedRulesKnownBadInputsRuleSet"
        vendor_name = "AWS"
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${var.name}-AWSManagedRulesKnownBadInputsRuleSet"
      sampled_requests_enabled   = true
    }
  }

  # API Gateway forwards 16 KB of the body to WAF by default; the body-size rule needs all of it.
  association_config {
    request_body {
      api_gateway {
        default_size_inspection_limit = local.inspection_limit
      }
    }
  }

  custom_response_body {
    key          = "payload-too-large"
    content_type = "APPLICATION_JSON"
    content = jsonencode({
      type   = "about:blank"
      title  = "Payload Too Large"
      status = 413
      detail = "The body exceeds ${var.max_body_bytes} bytes."
    })
  }

  visibility_config {
    cloudwatch_metrics_enabled = true
    metric_name                = var.name
    sampled_requests_enabled   = true
  }

  tags = var.tags
}

# WAF requires the "aws-waf-logs-" prefix for log destinations.
resource "aws_cloudwatch_log_group" "waf" {
  name              = "aws-waf-logs-${var.name}"
  retention_in_days = var.log_retention_in_days
  kms_key_id        = var.kms_key_arn
  tags              = var.tags
}

resource "aws_wafv2_web_acl_logging_configuration" "this" {
  resource_arn            = aws_wafv2_web_acl.this.arn
  log_destination_configs = [aws_cloudwatch_log_group.waf.arn]

  # Tokens and API keys must not land in WAF logs.
  redacted_fields {
    single_header {
      name = "authorization"
    }
  }
  redacted_fields {
    single_header {
      name = "x-api-key"
    }
  }
}

resource "aws_wafv2_web_acl_association" "stage" {
  resource_arn = var.stage_arn
  web_acl_arn  = aws_wafv2_web_acl.this.arn
}
