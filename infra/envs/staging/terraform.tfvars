environment      = "staging"
aws_region       = "us-east-1"
domain_name      = "api.staging.zebroscrm.com"
hosted_zone_name = "staging.zebroscrm.com"

# Browser origins whose pages may call the API (CORS; the preflight and the functions alike).
cors_allowed_origins = ["https://app.staging.zebroscrm.com"]

# staging.zebroscrm.com is created in this account and delegated from zebroscrm.com (prod's account):
# its name servers (output hosted_zone_name_servers) go into prod's zone_delegations.
hosted_zone_create_enabled = true

# Password-reset and invitation mail; the domain is an SES identity verified in this account.
notification_sender = "no-reply@staging.zebroscrm.com"

deletion_protection_enabled = false
logging_level               = "INFO"
stage_throttle              = { rate = 50, burst = 100 }
waf_rate_limit_per_ip       = 2000

# staging shares dev's account; dev owns the API Gateway account settings there.
api_gateway_account_enabled = false

usage_plan_tiers = {
  basic   = { description = "Trial partners", throttle_rate = 5, throttle_burst = 10, daily_quota = 5000 }
  premium = { description = "Contracted partners", throttle_rate = 25, throttle_burst = 50, daily_quota = 100000 }
  custom  = { description = "Organizations on a custom plan", throttle_rate = 50, throttle_burst = 100, daily_quota = 500000 }
}

api_keys = {
  "smoke-tests-2026-11" = { client = "smoke-tests", tier = "basic" }
}
