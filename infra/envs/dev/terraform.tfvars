environment      = "dev"
aws_region       = "us-east-1"
domain_name      = "api.dev.zebroscrm.com"
hosted_zone_name = "dev.zebroscrm.com"

# Browser origins whose pages may call the API (CORS; the preflight and the functions alike).
# localhost:3000: a front end served on a developer's machine against dev.
cors_allowed_origins = ["https://app.dev.zebroscrm.com", "http://localhost:3000"]

# dev.zebroscrm.com is created in this account and delegated from zebroscrm.com (prod's account):
# its name servers (output hosted_zone_name_servers) go into prod's zone_delegations.
hosted_zone_create_enabled = true

# Password-reset and invitation mail; the domain is an SES identity verified in this account.
notification_sender = "no-reply@dev.zebroscrm.com"

deletion_protection_enabled = false
logging_level               = "INFO"
stage_throttle              = { rate = 20, burst = 40 }
waf_rate_limit_per_ip       = 1000

# dev owns the account's API Gateway CloudWatch role (one environment per account and region).
api_gateway_account_enabled = true

usage_plan_tiers = {
  basic   = { description = "Trial partners", throttle_rate = 2, throttle_burst = 5, daily_quota = 1000 }
  premium = { description = "Contracted partners", throttle_rate = 10, throttle_burst = 20, daily_quota = 20000 }
  custom  = { description = "Organizations on a custom plan", throttle_rate = 20, throttle_burst = 40, daily_quota = 100000 }
}

api_keys = {
  "smoke-tests-2026-11" = { client = "smoke-tests", tier = "basic" }
}
