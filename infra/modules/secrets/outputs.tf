output "signing_key_secret_arn" {
  description = "ARN of the signing-key secret (grant GetSecretValue on it to the readers)."
  value       = aws_secretsmanager_secret.signing_key.arn
}

output "signing_key_secret_name" {
  description = "Name of the secret (SIGNING_KEY_SECRET_ID)."
  value       = aws_secretsmanager_secret.signing_key.name
}

output "kms_key_arn" {
  description = "ARN of the key that encrypts the secret."
  value       = aws_kms_key.signing_key.arn
}
