terraform {
  # 1.10: the S3 backend's use_lockfile (native S3 state locking, no DynamoDB lock table).
  required_version = ">= 1.10"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # 5.100 is what the offline mirror holds and what CI validates; v6 is not validated yet.
      version = ">= 5.100, < 6.0"
    }
  }
}
