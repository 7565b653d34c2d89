# Bucket and region come from -backend-config at init (make plan), so no account is hard-coded.
terraform {
  backend "s3" {
    key          = "zebros/staging/terraform.tfstate"
    encrypt      = true
    use_lockfile = true
  }
}
