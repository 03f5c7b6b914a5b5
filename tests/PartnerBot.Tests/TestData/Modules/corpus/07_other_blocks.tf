terraform {
  required_version = ">= 1.5"
  required_providers {
    google = {
      source  = "hashicorp/google"
      version = "~> 5.0"
    }
  }
}

locals {
  name    = "${var.prefix}-${random_id.suffix.hex}"
  flat    = flatten([for k, v in var.map : [for i in v : { key = k, item = i }]])
  splat   = google_compute_instance.vm[*].network_interface[0].access_config[0].nat_ip
  legacy  = aws_instance.web.*.id
  ternary = var.enabled ? { a = 1 } : null
  math    = (1 + 2) * 3 / 4 % 5 - -6
  strings = join(",", [for s in var.list : upper(s) if s != ""])
  provfn  = provider::terraform::encode_tfvars({ a = 1 })
  expand  = max(var.numbers...)
}

resource "google_storage_bucket" "b" {
  name     = local.name
  location = "US"
  dynamic "lifecycle_rule" {
    for_each = var.rules
    content {
      action { type = lifecycle_rule.value.action }
      condition {
        age = lifecycle_rule.value.age
      }
    }
  }
}

variable "prefix" {
  type    = string
  default = "app"
}

output "bucket" {
  value     = google_storage_bucket.b.url
  sensitive = false
}

module "child" {
  source = "./modules/child"
  inputs = { for k in ["a", "b"] : k => upper(k) }
}

variable "single_line_block_validation" {
  default = 1
  validation {
    condition = var.single_line_block_validation > 0
    error_message = "Positive."
  }
  validation {}
}
