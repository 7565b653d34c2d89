terraform {
  required_version = ">= 1.7"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # 5.100 is what the offline mirror holds and what CI validates; v6 is not validated yet.
      version = ">= 5.100, < 6.0"
    }
  }
}
