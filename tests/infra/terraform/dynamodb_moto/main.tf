# Applies the real kms and dynamodb modules, with the committed infra/tables.json, against a moto
# server on 127.0.0.1 (tests/infra/test_dynamodb_moto.py starts it and passes its URL).

terraform {
  required_version = ">= 1.7"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.100, < 6.0"
    }
  }
}

variable "aws_endpoint" {
  description = "URL of the moto server."
  type        = string
}

variable "name_prefix" {
  description = "TABLE_PREFIX the app is then pointed at."
  type        = string
}

provider "aws" {
  region                      = "us-east-1"
  access_key                  = "testing"
  secret_key                  = "testing"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true

  endpoints {
    dynamodb = var.aws_endpoint
    kms      = var.aws_endpoint
    sts      = var.aws_endpoint
  }
}

module "kms" {
  source = "../../../../infra/modules/kms"

  alias                   = "zebros-moto"
  deletion_window_in_days = 7
}

module "dynamodb" {
  source = "../../../../infra/modules/dynamodb"

  name_prefix                 = var.name_prefix
  tables                      = jsondecode(file("${path.module}/../../../../infra/tables.json"))
  kms_key_arn                 = module.kms.key_arn
  deletion_protection_enabled = false # the test destroys what it built
}

output "table_names" {
  value = module.dynamodb.table_names
}
