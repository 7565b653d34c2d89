output "table_names" {
  description = "Physical table names by logical name."
  value       = { for k, t in aws_dynamodb_table.this : k => t.name }
}

output "table_arns" {
  description = "Table ARNs by logical name."
  value       = { for k, t in aws_dynamodb_table.this : k => t.arn }
}

output "stream_arns" {
  description = "Stream ARNs by logical name, for tables that declare a stream."
  value       = { for k, t in aws_dynamodb_table.this : k => t.stream_arn if var.tables[k].stream_view_type != null }
}

output "name_prefix" {
  description = "The physical name prefix (TABLE_PREFIX of the app)."
  value       = var.name_prefix
}
