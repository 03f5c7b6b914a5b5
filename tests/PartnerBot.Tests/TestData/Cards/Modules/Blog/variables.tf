variable "module_description" {
  description = "The description of the module. {{UIMeta group=0 order=0 }}"
  type        = string
  default     = "A blog with a managed database."
}

variable "module_services" {
  description = "Specify the module services. {{UIMeta group=0 order=3 }}"
  type        = list(string)
  default     = ["Cloud Run", "Cloud SQL"]
}

variable "credit_cost" {
  description = "Specify the module cost {{UIMeta group=0 order=4 }}"
  type        = number
  default     = 40
}

variable "public_access" {
  description = "Set to true to enable the module to be available to all platform users. {{UIMeta group=0 order=8 }}"
  type        = bool
  default     = true
}

variable "existing_project_id" {
  description = "Project to deploy into. {{UIMeta group=1 order=100 }}"
  type        = string
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.existing_project_id))
    error_message = "Project IDs are 6-30 lowercase letters, digits or hyphens."
  }
}

variable "region" {
  description = "Region for all resources. {{UIMeta group=1 order=101 options=us-central1,europe-west1,asia-east1 }}"
  type        = string
  default     = "us-central1"
}

variable "blog_title" {
  description = <<-EOT
    Title shown in the **header** of every page <b>(HTML is not rendered)</b>.
    {{UIMeta group=1 order=102 updatesafe }}
  EOT
  type        = string
  default     = "My blog"
}

variable "min_instance_count" {
  description = "Minimum instances. {{UIMeta group=2 order=200 updatesafe }}"
  type        = number
  default     = 0
  validation {
    condition     = var.min_instance_count == null || (coalesce(var.min_instance_count, 0) >= 0 && coalesce(var.min_instance_count, 0) <= 1000)
    error_message = "Between 0 and 1000."
  }
}

variable "enable_backups" {
  description = "Back up the database every night. {{UIMeta group=2 order=201 updatesafe }}"
  type        = bool
  default     = true
}

variable "backup_format" {
  description = "Archive format of backups. {{UIMeta group=2 order=202 }}"
  type        = string
  default     = "sql"
  validation {
    condition     = contains(["sql", "tar", "gz", "tgz", "tar.gz", "zip"], var.backup_format)
    error_message = "Pick a supported format."
  }
}

variable "database_password" {
  description = "Database admin password. {{UIMeta group=2 order=203 }}"
  type        = string
  sensitive   = true
}

variable "environment_variables" {
  description = "Extra environment variables. {{UIMeta group=0 order=300 updatesafe }}"
  type        = map(string)
  default     = {}
}

variable "trusted_users" {
  description = "Users with admin rights. {{UIMeta group=0 order=301 updatesafe }}"
  type        = list(string)
  default     = []
}

variable "scaling" {
  description = "Scaling policy. {{UIMeta group=0 order=302 }}"
  type = object({
    cpu    = optional(number, 1)
    memory = optional(string, "512Mi")
  })
  default = {}
}
