output "network_name" {
  description = "Name of the network."
  value       = terraform_data.network.output.name
}

output "subnet_cidrs" {
  description = "Address range of each subnet."
  value       = [for subnet in terraform_data.subnet : subnet.output.cidr]
}

output "nat_enabled" {
  description = "Whether outbound NAT is configured."
  value       = length(terraform_data.nat) > 0
}
