terraform {
  # 1.7: mock_provider in the module tests.
  required_version = ">= 1.7"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # Validated against 5.100 (the offline mirror); v6 is not validated yet.
      version = ">= 5.100, < 6.0"
    }
  }
}
