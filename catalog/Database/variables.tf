# Metadata read by the platform (never shown to partners as inputs).

variable "module_description" {
  description = "The description of the module. {{UIMeta group=0 order=101 }}"
  type        = string
  default     = "Database: a managed PostgreSQL instance with a database, an application user and daily backups, placed in the partner's network."
}

variable "module_documentation" {
  description = "The URL to the module documentation. {{UIMeta group=0 order=102 }}"
  type        = string
  default     = "https://docs.example.com/modules/database"
}

variable "module_dependency" {
  description = "Specify the names of the modules this module depends on in the order in which they should be deployed. {{UIMeta group=0 order=103 }}"
  type        = list(string)
  default     = ["Network"]
}

variable "module_services" {
  description = "Specify the module services. {{UIMeta group=0 order=104 }}"
  type        = list(string)
  default     = ["Cloud SQL", "PostgreSQL", "Backups"]
}

variable "credit_cost" {
  description = "Specify the module cost. {{UIMeta group=0 order=105 }}"
  type        = number
  default     = 20
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
  description = "Project that holds the network created by the Network module. {{UIMeta group=1 order=201 }}"
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.project_id))
    error_message = "Project ID must be 6-30 characters, start with a letter, and contain only lowercase letters, numbers, and hyphens."
  }
}

variable "database_name" {
  description = "Name of the application database (lowercase letters, digits and underscores, up to 63 characters). {{UIMeta group=1 order=202 }}"
  type        = string
  default     = "app"

  validation {
    condition     = can(regex("^[a-z][a-z0-9_]{0,62}$", var.database_name))
    error_message = "Database name must start with a lowercase letter and contain only lowercase letters, digits and underscores (at most 63 characters)."
  }
}

variable "engine_version" {
  description = "PostgreSQL major version. {{UIMeta group=1 order=203 }}"
  type        = string
  default     = "POSTGRES_16"

  validation {
    condition     = contains(["POSTGRES_14", "POSTGRES_15", "POSTGRES_16"], var.engine_version)
    error_message = "Engine version must be one of POSTGRES_14, POSTGRES_15, POSTGRES_16."
  }
}

variable "storage_gb" {
  description = "Disk size in GB (10-1000). {{UIMeta group=2 order=301 updatesafe }}"
  type        = number
  default     = 20

  validation {
    condition     = var.storage_gb >= 10 && var.storage_gb <= 1000
    error_message = "Storage must be between 10 and 1000 GB."
  }
}

variable "admin_password" {
  description = "Password of the database administrator (at least 12 characters). {{UIMeta group=2 order=302 }}"
  type        = string
  sensitive   = true

  validation {
    condition     = length(var.admin_password) >= 12
    error_message = "The administrator password must be at least 12 characters long."
  }
}

variable "enable_backups" {
  description = "Take a backup every night and keep it for seven days. {{UIMeta group=2 order=303 updatesafe }}"
  type        = bool
  default     = true
}
