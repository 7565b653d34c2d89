mock_provider "aws" {}

variables {
  name        = "zebros-test"
  rest_api_id = "a1b2c3d4e5"
  stage_name  = "api"
  tiers = {
    basic   = { throttle_rate = 5, throttle_burst = 10, daily_quota = 1000 }
    premium = { throttle_rate = 50, throttle_burst = 100, daily_quota = 100000 }
    custom  = { throttle_rate = 100, throttle_burst = 200, daily_quota = 1000000 }
  }
  api_keys = {
    "acme-2026-01"   = { client = "acme", tier = "premium" }
    "globex-2026-01" = { client = "globex", tier = "basic" }
  }
}

run "tiers_become_plans_and_keys_attach_to_their_tier" {
  command = apply

  assert {
    condition     = one(aws_api_gateway_usage_plan.this["basic"].quota_settings).limit == 1000 && one(aws_api_gateway_usage_plan.this["basic"].quota_settings).period == "DAY"
    error_message = "The basic tier has a daily quota."
  }
  assert {
    condition     = one(aws_api_gateway_usage_plan.this["premium"].throttle_settings).rate_limit == 50 && one(aws_api_gateway_usage_plan.this["premium"].throttle_settings).burst_limit == 100
    error_message = "The premium tier throttles at its rate and burst."
  }
  assert {
    condition     = one(aws_api_gateway_usage_plan.this["basic"].api_stages).stage == "api"
    error_message = "Plans cover the API's stage."
  }
  assert {
    condition     = aws_api_gateway_usage_plan_key.this["acme-2026-01"].usage_plan_id == aws_api_gateway_usage_plan.this["premium"].id
    error_message = "A key joins the plan of its tier."
  }
  assert {
    condition     = aws_api_gateway_usage_plan_key.this["globex-2026-01"].key_id == aws_api_gateway_api_key.this["globex-2026-01"].id
    error_message = "The plan key references the client's key."
  }
  assert {
    condition     = aws_api_gateway_usage_plan.this["custom"].name == "${output.plan_name_prefix}custom"
    error_message = "The app finds a tier's plan by the prefix and the tier's name."
  }
  assert {
    condition     = aws_api_gateway_api_key.this["acme-2026-01"].name == "zebros-test-acme-2026-01"
    error_message = "Key names are prefixed with the environment."
  }
}

run "key_on_unknown_tier_is_rejected" {
  command = plan
  variables {
    api_keys = { "initech-2026-01" = { client = "initech", tier = "gold" } }
  }
  expect_failures = [aws_api_gateway_usage_plan.this]
}

run "premium_tier_is_required" {
  command = plan
  variables {
    tiers = { basic = { throttle_rate = 5, throttle_burst = 10, daily_quota = 1000 } }
  }
  expect_failures = [var.tiers]
}

run "custom_tier_is_required" {
  command = plan
  variables {
    tiers = {
      basic   = { throttle_rate = 5, throttle_burst = 10, daily_quota = 1000 }
      premium = { throttle_rate = 50, throttle_burst = 100, daily_quota = 100000 }
    }
  }
  expect_failures = [var.tiers]
}
