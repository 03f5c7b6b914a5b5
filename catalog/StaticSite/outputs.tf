output "bucket_name" {
  description = "Bucket that holds the site's files."
  value       = terraform_data.bucket.output.name
}

output "site_url" {
  description = "Address of the site."
  value       = "https://${var.site_name}.sites.example.com/"
}
