output "notification_channels" {
  description = "Addresses that receive alerts."
  value       = sort([for channel in terraform_data.notification_channel : channel.output.address])
}

output "uptime_checks" {
  description = "Number of uptime checks created."
  value       = length(terraform_data.uptime_check)
}
