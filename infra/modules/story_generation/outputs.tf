output "granted_model_arns" {
  description = "The foundation models each task may invoke (empty offline)."
  value       = { for task, grant in local.model_grants : task => grant.model_arn }
}
