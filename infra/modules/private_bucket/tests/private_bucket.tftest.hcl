mock_provider "aws" {
  mock_data "aws_region" {
    defaults = { name = "eu-west-1" }
  }
  mock_resource "aws_s3_bucket" {
    override_during = plan
    defaults        = { arn = "arn:aws:s3:::zebros-test-files", id = "zebros-test-files", bucket = "zebros-test-files" }
  }
}

variables {
  bucket_name = "zebros-test-files"
  kms_key_arn = "arn:aws:kms:eu-west-1:111122223333:key/0000aaaa-1111-2222-3333-444455556666"
  object_access = {
    api_handler = { role_name = "zebros-test-api_handler", key_prefix = "files/", read = true, write = true, delete = true }
    reader      = { role_name = "zebros-test-reader", read = true }
  }
  cors_rules = [{ allowed_origins = ["https://app.example.com"], allowed_methods = ["GET", "POST"] }]
}

run "private_encrypted_and_tls_only" {
  command = plan

  assert {
    condition     = alltrue([aws_s3_bucket_public_access_block.this.block_public_acls, aws_s3_bucket_public_access_block.this.block_public_policy, aws_s3_bucket_public_access_block.this.ignore_public_acls, aws_s3_bucket_public_access_block.this.restrict_public_buckets])
    error_message = "Every public access block setting must be on."
  }
  assert {
    condition     = one(aws_s3_bucket_ownership_controls.this.rule).object_ownership == "BucketOwnerEnforced"
    error_message = "ACLs must be disabled (bucket owner enforced)."
  }
  assert {
    condition     = one(one(aws_s3_bucket_server_side_encryption_configuration.this.rule).apply_server_side_encryption_by_default).kms_master_key_id == var.kms_key_arn
    error_message = "Objects must be encrypted with the environment's key by default."
  }
  assert {
    condition     = jsondecode(aws_s3_bucket_policy.this.policy).Statement[0].Condition.Bool["aws:SecureTransport"] == "false" && jsondecode(aws_s3_bucket_policy.this.policy).Statement[0].Effect == "Deny"
    error_message = "Requests without TLS must be denied."
  }
  assert {
    condition     = jsondecode(aws_s3_bucket_policy.this.policy).Statement[2].Condition.StringNotEquals["s3:x-amz-server-side-encryption-aws-kms-key-id"] == var.kms_key_arn
    error_message = "Uploads naming another KMS key must be denied."
  }
  assert {
    condition     = aws_s3_bucket_versioning.this.versioning_configuration[0].status == "Enabled"
    error_message = "Versioning is on by default."
  }
  assert {
    condition     = [for s in jsondecode(aws_s3_bucket_policy.this.policy).Statement : s.Sid] == ["DenyInsecureTransport", "DenyOtherEncryption", "DenyOtherKmsKeys"]
    error_message = "By default the policy also denies uploads asking for other encryption."
  }
  assert {
    condition = alltrue([for s in jsondecode(aws_s3_bucket_policy.this.policy).Statement :
    keys(s.Condition.Null) == keys(s.Condition.StringNotEquals) if startswith(s.Sid, "DenyOther")])
    error_message = "An upload naming no encryption is not denied (IAM takes a negated test of an absent header as true): each deny needs the header present."
  }
  assert {
    condition     = length(aws_s3_bucket_cors_configuration.this) == 1
    error_message = "CORS rules given make a CORS configuration."
  }
}

run "roles_reach_their_prefix_and_the_key_through_s3_only" {
  command = plan

  assert {
    condition     = jsondecode(aws_iam_role_policy.object_access["api_handler"].policy).Statement[0].Resource == "arn:aws:s3:::zebros-test-files/files/*"
    error_message = "Object access must be limited to the key prefix."
  }
  assert {
    condition     = [for s in jsondecode(aws_iam_role_policy.object_access["api_handler"].policy).Statement : s.Action] == [["s3:GetObject"], ["s3:PutObject"], ["s3:DeleteObject"], ["kms:GenerateDataKey", "kms:Decrypt"]]
    error_message = "read/write/delete must grant GetObject/PutObject/DeleteObject and the key for both directions."
  }
  assert {
    condition     = jsondecode(aws_iam_role_policy.object_access["api_handler"].policy).Statement[3].Condition.StringEquals["kms:ViaService"] == "s3.eu-west-1.amazonaws.com"
    error_message = "The bucket key must be usable through S3 only."
  }
  assert {
    condition     = [for s in jsondecode(aws_iam_role_policy.object_access["reader"].policy).Statement : s.Action] == [["s3:GetObject"], ["kms:Decrypt"]]
    error_message = "A reader gets GetObject and Decrypt, nothing to write or delete."
  }
}

run "no_cors_without_rules" {
  command = plan
  variables {
    cors_rules = []
  }
  assert {
    condition     = length(aws_s3_bucket_cors_configuration.this) == 0
    error_message = "No CORS configuration without rules."
  }
}

run "wildcard_cors_origin_is_rejected" {
  command = plan
  variables {
    cors_rules = [{ allowed_origins = ["*"], allowed_methods = ["GET"] }]
  }
  expect_failures = [var.cors_rules]
}

run "access_entry_without_a_permission_is_rejected" {
  command = plan
  variables {
    object_access = { nobody = { role_name = "r" } }
  }
  expect_failures = [var.object_access]
}

run "lifecycle_is_required" {
  command = plan
  variables {
    lifecycle_rules = []
  }
  expect_failures = [var.lifecycle_rules]
}

run "expiring_unversioned_bucket_of_multipart_uploads" {
  command = plan
  variables {
    versioning_enabled = false
    lifecycle_rules    = [{ id = "expire-exports", expiration_days = 7, noncurrent_version_expiration_days = 1 }]
    object_access = {
      export_chunk = { role_name = "zebros-test-export_chunk", read = true, write = true, multipart = true }
    }
  }

  assert {
    condition     = aws_s3_bucket_versioning.this.versioning_configuration[0].status == "Suspended"
    error_message = "Versioning off suspends it."
  }
  assert {
    condition     = one(one(aws_s3_bucket_lifecycle_configuration.this.rule).expiration).days == 7 && one(one(aws_s3_bucket_lifecycle_configuration.this.rule).abort_incomplete_multipart_upload).days_after_initiation == 1
    error_message = "Files must expire, and abandoned multipart uploads go after a day."
  }
  assert {
    condition     = one(one(aws_s3_bucket_server_side_encryption_configuration.this.rule).apply_server_side_encryption_by_default).kms_master_key_id == var.kms_key_arn
    error_message = "Objects are still encrypted with the environment's key by default."
  }
  assert {
    condition     = [for s in jsondecode(aws_iam_role_policy.object_access["export_chunk"].policy).Statement : s.Action] == [["s3:GetObject"], ["s3:PutObject"], ["s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"], ["kms:GenerateDataKey", "kms:Decrypt"]]
    error_message = "multipart adds listing and aborting uploads to reading and writing."
  }
  assert {
    condition     = jsondecode(aws_iam_role_policy.object_access["export_chunk"].policy).Statement[2].Resource == "arn:aws:s3:::zebros-test-files/*"
    error_message = "Without a key prefix the grants cover the whole bucket."
  }
}

run "multipart_without_write_is_rejected" {
  command = plan
  variables {
    object_access = { lister = { role_name = "r", read = true, multipart = true } }
  }
  expect_failures = [var.object_access]
}
