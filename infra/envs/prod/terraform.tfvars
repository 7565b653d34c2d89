environment      = "prod"
aws_region       = "us-east-1"
domain_name      = "api.zebroscrm.com"
hosted_zone_name = "zebroscrm.com"

deletion_protection_enabled = true
logging_level               = "ERROR"
stage_throttle              = { rate = 200, burst = 400 }
waf_rate_limit_per_ip       = 2000

# prod has an account of its own.
api_gateway_account_enabled = true

usage_plan_tiers = {
  basic   = { description = "Standard partners", throttle_rate = 5, throttle_burst = 10, daily_quota = 10000 }
  premium = { description = "Premium partners", throttle_rate = 50, throttle_burst = 100, daily_quota = 500000 }
}

api_keys = {
  "smoke-tests-2026-11" = { client = "smoke-tests", tier = "basic" }
}

# On-call: add the paging endpoint here, e.g. { protocol = "https", endpoint = "https://events.pagerduty.com/..." }.
alarm_subscriptions = []
