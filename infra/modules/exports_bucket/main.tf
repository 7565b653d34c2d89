# The bucket of export files (POST /v1/exports): private, encrypted with the data key, files
# deleted after expiration_days. Minimal on purpose: the `files` work brings a reusable
# private-bucket module, which this can become an instance of.
resource "aws_s3_bucket" "this" {
  #checkov:skip=CKV_AWS_21:Export files are written once and expire in days; a new export is a new object, so there is nothing to version.
  #checkov:skip=CKV_AWS_144:Export files are short-lived copies of data the tables hold; no cross-region replica.
  #checkov:skip=CKV_AWS_18:Downloads are presigned by the API, which logs who asked for each link.
  #checkov:skip=CKV2_AWS_62:Nothing consumes events of export files.
  bucket        = var.bucket_name
  force_destroy = var.force_destroy_enabled
  tags          = var.tags
}

resource "aws_s3_bucket_public_access_block" "this" {
  bucket                  = aws_s3_bucket.this.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "this" {
  bucket = aws_s3_bucket.this.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  bucket = aws_s3_bucket.this.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = var.kms_key_arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_versioning" "this" {
  bucket = aws_s3_bucket.this.id
  versioning_configuration {
    # Files are written once and expire; versions would only keep expired files alive.
    status = "Suspended"
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    id     = "expire-exports"
    status = "Enabled"
    filter {}
    expiration {
      days = var.expiration_days
    }
    noncurrent_version_expiration {
      noncurrent_days = 1
    }
    # A cancelled or failed export leaves its multipart upload behind.
    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }
}

data "aws_iam_policy_document" "tls_only" {
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.this.arn, "${aws_s3_bucket.this.arn}/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "this" {
  bucket = aws_s3_bucket.this.id
  policy = data.aws_iam_policy_document.tls_only.json

  depends_on = [aws_s3_bucket_public_access_block.this]
}
