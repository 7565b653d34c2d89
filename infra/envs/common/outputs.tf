output "api_url" {
  description = "Base URL of the REST API on its custom domain."
  value       = module.custom_domain.rest_url
}

output "stage_invoke_url" {
  description = "Invoke URL of the stage (execute-api), for smoke tests before DNS resolves."
  value       = module.api.invoke_url
}

output "table_names" {
  description = "DynamoDB tables by logical name."
  value       = module.dynamodb.table_names
}

output "signing_key_secret_name" {
  description = "Secret to put the JWT signing key in (docs/deploy.md)."
  value       = module.secrets.signing_key_secret_name
}

output "api_key_ids" {
  description = "API key IDs by key name."
  value       = module.usage_plans.api_key_ids
}

output "dashboard_name" {
  description = "CloudWatch dashboard of the environment."
  value       = module.observability.dashboard_name
}

output "alarm_topic_arn" {
  description = "SNS topic of the alarms."
  value       = module.observability.alarm_topic_arn
}

output "hosted_zone_name_servers" {
  description = "Name servers of the environment's zone: for a created sub-zone, the NS record its parent needs (prod's zone_delegations)."
  value       = module.dns_zone.name_servers
}

output "event_bus_name" {
  description = "EventBridge bus of the domain events (integrations subscribe with rules on it)."
  value       = module.event_bus.bus_name
}

output "event_dead_letter_queue_arn" {
  description = "Where the event stream's failed batches are recorded (docs/deploy.md, \"Events\")."
  value       = module.event_bus.dead_letter_queue_arn
}

output "files_bucket_name" {
  description = "Bucket of files attached to records (FILES_BUCKET)."
  value       = module.files_bucket.bucket_name
}
