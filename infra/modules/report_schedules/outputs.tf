output "group_name" {
  description = "The schedule group (SCHEDULE_GROUP)."
  value       = aws_scheduler_schedule_group.reports.name
}

output "role_arn" {
  description = "The role schedules invoke their function with (SCHEDULER_ROLE_ARN)."
  value       = aws_iam_role.scheduler.arn
}
