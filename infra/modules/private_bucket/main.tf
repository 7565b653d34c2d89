data "aws_region" "current" {}

locals {
  objects_arn = "${aws_s3_bucket.this.arn}/*"
  kms_via_s3  = { StringEquals = { "kms:ViaService" = "s3.${data.aws_region.current.name}.amazonaws.com" } }

  # Policy documents as plain values (not aws_iam_policy_document) so the module tests can read
  # them under a mock provider.
  deny_insecure_transport = {
    Sid       = "DenyInsecureTransport"
    Effect    = "Deny"
    Principal = "*"
    Action    = "s3:*"
    Resource  = [aws_s3_bucket.this.arn, local.objects_arn]
    Condition = { Bool = { "aws:SecureTransport" = "false" } }
  }
  deny_other_encryption = [
    {
      # Default encryption covers uploads that name no encryption (presigned ones, the tasks'
      # multipart uploads); one that asks for another kind is refused rather than silently honoured.
      # Denied only when the header is there: IAM evaluates a negated condition (with or without
      # IfExists) on an absent key as true, so without the Null test every plain upload is denied.
      Sid       = "DenyOtherEncryption"
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:PutObject"
      Resource  = local.objects_arn
      Condition = {
        StringNotEquals = { "s3:x-amz-server-side-encryption" = "aws:kms" }
        Null            = { "s3:x-amz-server-side-encryption" = "false" }
      }
    },
    {
      Sid       = "DenyOtherKmsKeys"
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:PutObject"
      Resource  = local.objects_arn
      Condition = {
        StringNotEquals = { "s3:x-amz-server-side-encryption-aws-kms-key-id" = var.kms_key_arn }
        Null            = { "s3:x-amz-server-side-encryption-aws-kms-key-id" = "false" }
      }
    },
  ]
  bucket_policy = {
    Version   = "2012-10-17"
    Statement = concat([local.deny_insecure_transport], local.deny_other_encryption)
  }

  access_statements = { for name, a in var.object_access : name => concat(
    a.read ? [{ Sid = "ReadObjects", Effect = "Allow", Action = ["s3:GetObject"], Resource = "${aws_s3_bucket.this.arn}/${a.key_prefix}*" }] : [],
    a.write ? [{ Sid = "WriteObjects", Effect = "Allow", Action = ["s3:PutObject"], Resource = "${aws_s3_bucket.this.arn}/${a.key_prefix}*" }] : [],
    a.delete ? [{ Sid = "DeleteObjects", Effect = "Allow", Action = ["s3:DeleteObject"], Resource = "${aws_s3_bucket.this.arn}/${a.key_prefix}*" }] : [],
    # A multipart upload's parts are PutObject too; listing them (to complete it) and aborting it are not.
    a.multipart ? [{ Sid = "MultipartUploads", Effect = "Allow", Action = ["s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"], Resource = "${aws_s3_bucket.this.arn}/${a.key_prefix}*" }] : [],
    # S3 uses the bucket's key with the caller's permission: a data key to write, decrypt to read.
    a.read || a.write ? [{
      Sid       = "BucketKeyThroughS3"
      Effect    = "Allow"
      Action    = concat(a.write ? ["kms:GenerateDataKey"] : [], a.read ? ["kms:Decrypt"] : [])
      Resource  = var.kms_key_arn
      Condition = local.kms_via_s3
    }] : [],
  ) }
}

resource "aws_s3_bucket" "this" {
  #checkov:skip=CKV_AWS_18:Access logging goes to a log bucket per account, outside this module; CloudTrail data events record object access.
  #checkov:skip=CKV_AWS_144:Cross-region replication is a disaster-recovery decision per environment, not a default of every private bucket.
  #checkov:skip=CKV2_AWS_62:No event notifications: the app records each object it signs in DynamoDB.
  bucket        = var.bucket_name
  force_destroy = var.force_destroy_enabled
  tags          = var.tags
}

resource "aws_s3_bucket_ownership_controls" "this" {
  bucket = aws_s3_bucket.this.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "this" {
  bucket                  = aws_s3_bucket.this.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  bucket = aws_s3_bucket.this.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = var.kms_key_arn
    }
    # One data key per bucket rather than a KMS request per object.
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_versioning" "this" {
  bucket = aws_s3_bucket.this.id
  versioning_configuration {
    status = var.versioning_enabled ? "Enabled" : "Suspended"
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "this" {
  bucket = aws_s3_bucket.this.id

  dynamic "rule" {
    for_each = var.lifecycle_rules
    content {
      id     = rule.value.id
      status = "Enabled"
      filter {
        prefix = rule.value.prefix
      }
      dynamic "expiration" {
        for_each = rule.value.expiration_days == null ? [] : [rule.value.expiration_days]
        content {
          days = expiration.value
        }
      }
      noncurrent_version_expiration {
        noncurrent_days = rule.value.noncurrent_version_expiration_days
      }
      abort_incomplete_multipart_upload {
        days_after_initiation = rule.value.abort_incomplete_multipart_upload_days
      }
    }
  }

  # Rules on a versioned bucket apply once versioning is set.
  depends_on = [aws_s3_bucket_versioning.this]
}

resource "aws_s3_bucket_cors_configuration" "this" {
  count  = length(var.cors_rules) > 0 ? 1 : 0
  bucket = aws_s3_bucket.this.id

  dynamic "cors_rule" {
    for_each = var.cors_rules
    content {
      allowed_origins = cors_rule.value.allowed_origins
      allowed_methods = cors_rule.value.allowed_methods
      allowed_headers = cors_rule.value.allowed_headers
      expose_headers  = cors_rule.value.expose_headers
      max_age_seconds = cors_rule.value.max_age_seconds
    }
  }
}

resource "aws_s3_bucket_policy" "this" {
  bucket = aws_s3_bucket.this.id
  policy = jsonencode(local.bucket_policy)

  # S3 refuses a policy while the public access block is being changed.
  depends_on = [aws_s3_bucket_public_access_block.this]
}

resource "aws_iam_role_policy" "object_access" {
  for_each = var.object_access

  name   = "${var.bucket_name}-${each.key}-objects"
  role   = each.value.role_name
  policy = jsonencode({ Version = "2012-10-17", Statement = local.access_statements[each.key] })
}
