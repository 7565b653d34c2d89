output "bucket_name" {
  description = "Name of the bucket (the app's FILES_BUCKET or the like)."
  value       = aws_s3_bucket.this.bucket
}

output "bucket_arn" {
  description = "ARN of the bucket."
  value       = aws_s3_bucket.this.arn
}

output "bucket_regional_domain_name" {
  description = "Regional domain name of the bucket (where presigned URLs point)."
  value       = aws_s3_bucket.this.bucket_regional_domain_name
}
