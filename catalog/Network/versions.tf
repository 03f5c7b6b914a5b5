terraform {
  # terraform_data is built into Terraform 1.4+ and OpenTofu; no provider download is needed.
  required_version = ">= 1.4"
}
