output "state_machine_arns" {
  description = "State machine ARNs by name."
  value       = { for k, m in aws_sfn_state_machine.this : k => m.arn }
}

output "role_arns" {
  description = "Execution role ARNs by state machine name."
  value       = { for k, r in aws_iam_role.this : k => r.arn }
}

output "log_group_names" {
  description = "Execution log groups by state machine name."
  value       = { for k, g in aws_cloudwatch_log_group.this : k => g.name }
}
