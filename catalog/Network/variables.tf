# Metadata read by the platform (never shown to partners as inputs).

variable "module_description" {
  description = "The description of the module. {{UIMeta group=0 order=101 }}"
  type        = string
  default     = "Network: a private virtual network with one subnet per tier and a NAT gateway for outbound traffic."
}

variable "module_documentation" {
  description = "The URL to the module documentation. {{UIMeta group=0 order=102 }}"
  type        = string
  default     = "https://docs.example.com/modules/network"
}

variable "module_dependency" {
  description = "Specify the names of the modules this module depends on in the order in which they should be deployed. {{UIMeta group=0 order=103 }}"
  type        = list(string)
  default     = []
}

variable "module_services" {
  description = "Specify the module services. {{UIMeta group=0 order=104 }}"
  type        = list(string)
  default     = ["VPC Network", "Cloud NAT", "Firewall"]
}

variable "credit_cost" {
  description = "Specify the module cost. {{UIMeta group=0 order=105 }}"
  type        = number
  default     = 10
}

variable "require_credit_purchases" {
  description = "Set to true to require credit purchases to deploy this module. {{UIMeta group=0 order=106 }}"
  type        = bool
  default     = false
}

variable "enable_purge" {
  description = "Set to true to enable the ability to purge this module. {{UIMeta group=0 order=107 }}"
  type        = bool
  default     = true
}

variable "public_access" {
  description = "Set to true to enable the module to be available to all platform users. {{UIMeta group=0 order=108 }}"
  type        = bool
  default     = true
}

# Partner inputs.

variable "project_id" {
  description = "Project that will hold the network (6-30 lowercase letters, digits or hyphens, starting with a letter). {{UIMeta group=1 order=201 }}"
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.project_id))
    error_message = "Project ID must be 6-30 characters, start with a letter, and contain only lowercase letters, numbers, and hyphens."
  }
}

variable "region" {
  description = "Region of the network. {{UIMeta group=1 order=202 }}"
  type        = string
  default     = "europe-west1"

  validation {
    condition     = contains(["europe-west1", "europe-west4", "us-central1", "us-east1", "asia-southeast1"], var.region)
    error_message = "Region must be one of europe-west1, europe-west4, us-central1, us-east1, asia-southeast1."
  }
}

variable "subnet_count" {
  description = "Number of subnets, one per application tier (1-6). {{UIMeta group=2 order=301 updatesafe }}"
  type        = number
  default     = 2

  validation {
    condition     = var.subnet_count >= 1 && var.subnet_count <= 6
    error_message = "Subnet count must be between 1 and 6."
  }
}

variable "enable_nat" {
  description = "Create a NAT gateway so private workloads can reach the internet. {{UIMeta group=2 order=302 updatesafe }}"
  type        = bool
  default     = true
}
