output "zone_id" {
  description = "ID of the zone (custom_domain's zone_id)."
  value       = local.zone_id
}

output "zone_name" {
  description = "Name of the zone."
  value       = var.zone_name
}

output "name_servers" {
  description = "Name servers of the zone: the NS record its parent zone needs (the parent root's zone_delegations)."
  value       = local.name_servers
}
