environment      = "prod"
aws_region       = "us-east-1"
domain_name      = "api.zebroscrm.com"
hosted_zone_name = "zebroscrm.com"

# Browser origins whose pages may call the API (CORS; the preflight and the functions alike).
cors_allowed_origins = ["https://app.zebroscrm.com"]

# zebroscrm.com exists in this account. dev.zebroscrm.com and staging.zebroscrm.com live in the
# dev/staging account: put their name servers (their output hosted_zone_name_servers) here.
zone_delegations = {
  # "dev.zebroscrm.com"     = ["ns-123.awsdns-15.com", "ns-456.awsdns-57.net", "ns-789.awsdns-98.org", "ns-1011.awsdns-12.co.uk"]
  # "staging.zebroscrm.com" = [...]
}

# Password-reset and invitation mail; the domain is an SES identity verified in this account.
notification_sender = "no-reply@zebroscrm.com"

deletion_protection_enabled = true
logging_level               = "ERROR"
stage_throttle              = { rate = 200, burst = 400 }
waf_rate_limit_per_ip       = 2000

# prod has an account of its own.
api_gateway_account_enabled = true

usage_plan_tiers = {
  basic   = { description = "Standard partners", throttle_rate = 5, throttle_burst = 10, daily_quota = 10000 }
  premium = { description = "Premium partners", throttle_rate = 50, throttle_burst = 100, daily_quota = 500000 }
  custom  = { description = "Organizations on a custom plan", throttle_rate = 100, throttle_burst = 200, daily_quota = 2000000 }
}

api_keys = {
  "smoke-tests-2026-11" = { client = "smoke-tests", tier = "basic" }
}

# Who is told when an alarm fires: at least one subscription (the plan refuses none). Email
# subscriptions must be confirmed from the mailbox after the apply; a pager is an https endpoint,
# e.g. { protocol = "https", endpoint = "https://events.pagerduty.com/integration/<key>/enqueue" }.
alarm_subscriptions = [
  { protocol = "email", endpoint = "oncall@zebroscrm.com" },
]
