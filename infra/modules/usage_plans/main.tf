resource "aws_api_gateway_usage_plan" "this" {
  for_each = var.tiers

  name        = "${var.name}-${each.key}"
  description = each.value.description

  api_stages {
    api_id = var.rest_api_id
    stage  = var.stage_name
  }

  throttle_settings {
    rate_limit  = each.value.throttle_rate
    burst_limit = each.value.throttle_burst
  }

  quota_settings {
    limit  = each.value.daily_quota
    period = "DAY"
  }

  tags = var.tags

  lifecycle {
    precondition {
      condition     = alltrue([for k in values(var.api_keys) : contains(keys(var.tiers), k.tier)])
      error_message = "Every API key must name a tier of var.tiers."
    }
  }
}

# API Gateway generates the key values; they are in state (sensitive) and readable with
# `aws apigateway get-api-key --include-value`, which is how they are handed to clients.
resource "aws_api_gateway_api_key" "this" {
  for_each = var.api_keys

  name        = "${var.name}-${each.key}"
  description = "${each.value.client} (${each.value.tier})"
  enabled     = each.value.enabled
  tags        = merge(var.tags, { "zebros:client" = each.value.client, "zebros:tier" = each.value.tier })
}

resource "aws_api_gateway_usage_plan_key" "this" {
  for_each = var.api_keys

  key_id        = aws_api_gateway_api_key.this[each.key].id
  key_type      = "API_KEY"
  usage_plan_id = aws_api_gateway_usage_plan.this[each.value.tier].id
}
