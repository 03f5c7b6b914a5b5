resource "terraform_data" "thing" {
  input = {
    label = var.label
    size  = var.size
  }
}

output "label" {
  value = terraform_data.thing.output.label
}

output "size" {
  value = terraform_data.thing.output.size
}

output "password_digest" {
  value     = sha256(var.password)
  sensitive = true
}
