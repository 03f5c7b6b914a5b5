output "instance_name" {
  description = "Name of the database instance."
  value       = terraform_data.instance.output.name
}

output "connection_string" {
  description = "Connection string for the application (without the password)."
  value       = "postgresql://postgres@${terraform_data.instance.output.name}:5432/${terraform_data.database.output.name}"
}

output "backups_enabled" {
  description = "Whether nightly backups are configured."
  value       = length(terraform_data.backup_schedule) > 0
}
