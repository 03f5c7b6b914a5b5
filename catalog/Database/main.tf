locals {
  instance_name = "${var.project_id}-pg"
}

resource "terraform_data" "instance" {
  input = {
    name       = local.instance_name
    version    = var.engine_version
    storage_gb = var.storage_gb
    network    = "${var.project_id}-vpc"
  }
}

resource "terraform_data" "database" {
  input = {
    name     = var.database_name
    instance = terraform_data.instance.output.name
  }
}

resource "terraform_data" "admin_user" {
  # Only a digest of the password is kept in state; the password itself never is.
  input = {
    name            = "postgres"
    instance        = terraform_data.instance.output.name
    password_digest = sha256(var.admin_password)
  }
}

resource "terraform_data" "backup_schedule" {
  count = var.enable_backups ? 1 : 0
  input = {
    instance       = terraform_data.instance.output.name
    start_time     = "02:00"
    retention_days = 7
  }
}
