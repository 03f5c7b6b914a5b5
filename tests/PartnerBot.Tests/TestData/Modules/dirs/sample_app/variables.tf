# A complete platform module: the ten metadata variables plus inputs in two groups.

variable "module_description" {
  description = "The description of the module. {{UIMeta group=0 order=100 }}"
  type        = string
  default     = "Sample web application on Cloud Run with a managed database."
}

variable "module_documentation" {
  description = "The URL to the module documentation. {{UIMeta group=0 order=101 }}"
  type        = string
  default     = "https://docs.example.com/modules/sample-webapp"
}

variable "module_dependency" {
  description = "Modules to deploy first. {{UIMeta group=0 order=102 }}"
  type        = list(string)
  default     = ["GCP_Services", "GCP_Project"]
}

variable "module_services" {
  description = "Module services. {{UIMeta group=0 order=103 }}"
  type        = list(string)
  default     = ["Cloud Run", "Cloud SQL", "Secret Manager"]
}

variable "credit_cost" {
  description = "Credits charged per deployment. {{UIMeta group=0 order=104 }}"
  type        = number
  default     = 250
}

variable "require_credit_purchases" {
  description = "Require purchased credits. {{UIMeta group=0 order=105 }}"
  type        = bool
  default     = true
}

variable "enable_purge" {
  description = "Allow purge. {{UIMeta group=0 order=106 }}"
  type        = bool
  default     = false
}

variable "public_access" {
  description = "Visible to every user. {{UIMeta group=0 order=107 }}"
  type        = bool
  default     = true
}

variable "shared_users" {
  description = "Users the module is shared with. {{UIMeta group=0 order=108 }}"
  type        = list(string)
  default     = ["ops@example.com", "dev@example.com"]
}

variable "technical_support_users" {
  description = "Support contacts. {{UIMeta group=0 order=109 }}"
  type        = list(string)
  default     = ["support@example.com"]
}

variable "project_id" {
  description = "Project to deploy into. {{UIMeta group=1 order=1 }}"
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.project_id))
    error_message = "Project ID must be 6-30 characters, start with a letter, and contain only lowercase letters, numbers, and hyphens."
  }
}

variable "region" {
  description = "Region. {{UIMeta group=1 order=2 updatesafe }}"
  type        = string
  default     = "us-central1"

  validation {
    condition     = contains(["us-central1", "europe-west1", "asia-east1"], var.region)
    error_message = "Choose one of the supported regions."
  }
}

variable "instance_count" {
  description = "Number of instances. {{UIMeta group=2 order=1 updatesafe }}"
  type        = number
  default     = 2

  validation {
    condition     = var.instance_count >= 1 && var.instance_count <= 10
    error_message = "Between 1 and 10 instances."
  }
  validation {
    condition     = floor(var.instance_count) == var.instance_count
    error_message = "Whole numbers only."
  }
}

variable "db_password" {
  description = "Database password. {{UIMeta group=2 order=2 }}"
  type        = string
  sensitive   = true
  nullable    = false
  default     = null
}
