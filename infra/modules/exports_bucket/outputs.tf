output "bucket_name" {
  description = "Name of the exports bucket (EXPORTS_BUCKET of the functions)."
  value       = aws_s3_bucket.this.id
}

output "bucket_arn" {
  description = "ARN of the exports bucket."
  value       = aws_s3_bucket.this.arn
}
