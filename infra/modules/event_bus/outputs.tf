output "bus_name" {
  description = "Name of the bus (EVENT_BUS_NAME of the stream consumer)."
  value       = aws_cloudwatch_event_bus.this.name
}

output "bus_arn" {
  description = "ARN of the bus, for integrations' rules."
  value       = aws_cloudwatch_event_bus.this.arn
}

output "archive_name" {
  description = "Archive to replay events from."
  value       = aws_cloudwatch_event_archive.this.name
}

output "dead_letter_queue_arn" {
  description = "On-failure destination of the stream consumers' event source mappings; known once the consumers may send to it (Lambda checks that when the mapping is created)."
  value       = aws_sqs_queue.dead_letter.arn
  depends_on  = [aws_iam_role_policy.consumer]
}

output "dead_letter_queue_name" {
  description = "Name of the dead-letter queue (alarm on its visible messages)."
  value       = aws_sqs_queue.dead_letter.name
}

output "stream_arns" {
  description = "The consumers' streams by function name, known once each consumer may read its stream (Lambda checks that when the mapping is created)."
  value       = { for name, c in var.consumers : name => c.stream_arn }
  depends_on  = [aws_iam_role_policy.consumer]
}

output "key_arn" {
  description = "KMS key of the bus and the dead-letter queue."
  value       = aws_kms_key.events.arn
}
