data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.name
  readers    = concat(var.reader_role_arns, var.operator_role_arns)
}

# A key of its own, so that decrypting the signing key is granted to exactly its readers and
# the environment's data key can stay broadly usable inside the account.
resource "aws_kms_key" "signing_key" {
  description             = "Encrypts ${var.signing_key_secret_name}"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AccountAdministersKeyThroughIam"
        Effect    = "Allow"
        Principal = { AWS = "arn:${local.partition}:iam::${local.account_id}:root" }
        Action    = "kms:*"
        Resource  = "*"
      },
      {
        Sid       = "ReadersDecryptThroughSecretsManagerOnly"
        Effect    = "Allow"
        Principal = { AWS = local.readers }
        Action    = "kms:Decrypt"
        Resource  = "*"
        Condition = {
          StringEquals = { "kms:ViaService" = "secretsmanager.${local.region}.amazonaws.com" }
        }
      },
    ]
  })
  tags = var.tags
}

resource "aws_kms_alias" "signing_key" {
  name          = "alias/${replace(var.signing_key_secret_name, "/[^A-Za-z0-9/_-]/", "-")}"
  target_key_id = aws_kms_key.signing_key.key_id
}

# Terraform creates the container only: the key pair is generated outside Terraform (see
# docs/deploy.md) so the private key never lands in state.
resource "aws_secretsmanager_secret" "signing_key" {
  #checkov:skip=CKV2_AWS_57:Rotation is a documented two-step procedure (docs/deploy.md): verifiers must keep the previous public key in the JWKS until old tokens expire, which a generic rotation Lambda does not do.
  name                    = var.signing_key_secret_name
  description             = "JWT signing key (ES256): {kid, private_key_pem, previous_public_keys}"
  kms_key_id              = aws_kms_key.signing_key.arn
  recovery_window_in_days = var.recovery_window_in_days
  tags                    = var.tags
}

resource "aws_secretsmanager_secret_policy" "signing_key" {
  secret_arn = aws_secretsmanager_secret.signing_key.arn
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "OnlySignersAndVerifiersReadTheKey"
      Effect    = "Deny"
      Principal = "*"
      Action    = "secretsmanager:GetSecretValue"
      Resource  = "*"
      Condition = {
        ArnNotEquals = { "aws:PrincipalArn" = local.readers }
      }
    }]
  })
}
