output "service_name" {
  description = "Name of the running service."
  value       = terraform_data.service.output.name
}

output "service_url" {
  description = "Address of the application."
  value       = "https://${terraform_data.service.output.name}.run.example.com"
}

output "domains" {
  description = "Custom domains mapped to the application."
  value       = sort([for mapping in terraform_data.domain_mapping : mapping.output.domain])
}
