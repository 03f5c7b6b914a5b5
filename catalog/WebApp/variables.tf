# Metadata read by the platform (never shown to partners as inputs).

variable "module_description" {
  description = "The description of the module. {{UIMeta group=0 order=101 }}"
  type        = string
  default     = "WebApp: a containerised web application with autoscaling, a custom domain and its own database user, connected to the Database module."
}

variable "module_documentation" {
  description = "The URL to the module documentation. {{UIMeta group=0 order=102 }}"
  type        = string
  default     = "https://docs.example.com/modules/webapp"
}

variable "module_dependency" {
  description = "Specify the names of the modules this module depends on in the order in which they should be deployed. {{UIMeta group=0 order=103 }}"
  type        = list(string)
  default     = ["Database"]
}

variable "module_services" {
  description = "Specify the module services. {{UIMeta group=0 order=104 }}"
  type        = list(string)
  default     = ["Cloud Run", "Secret Manager", "Cloud Load Balancing"]
}

variable "credit_cost" {
  description = "Specify the module cost. {{UIMeta group=0 order=105 }}"
  type        = number
  default     = 30
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
  description = "Project that holds the Network and Database deployments. {{UIMeta group=1 order=201 }}"
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.project_id))
    error_message = "Project ID must be 6-30 characters, start with a letter, and contain only lowercase letters, numbers, and hyphens."
  }
}

variable "app_name" {
  description = "Name of the application (lowercase letters, digits and hyphens, 3-30 characters). {{UIMeta group=1 order=202 }}"
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,29}$", var.app_name))
    error_message = "App name must be 3-30 characters: lowercase letters, digits and hyphens, starting with a letter."
  }
}

variable "container_image" {
  description = "Container image to run, e.g. us-docker.pkg.dev/cloudrun/container/hello. {{UIMeta group=1 order=203 updatesafe }}"
  type        = string
  default     = "us-docker.pkg.dev/cloudrun/container/hello"
}

variable "instance_size" {
  description = "Size of each instance. {{UIMeta group=2 order=301 updatesafe }}"
  type        = string
  default     = "small"

  validation {
    condition     = contains(["small", "medium", "large"], var.instance_size)
    error_message = "Instance size must be small, medium or large."
  }
}

variable "max_instances" {
  description = "Upper bound for autoscaling (1-100). {{UIMeta group=2 order=302 updatesafe }}"
  type        = number
  default     = 3

  validation {
    condition     = var.max_instances >= 1 && var.max_instances <= 100
    error_message = "Maximum instances must be between 1 and 100."
  }
}

variable "custom_domains" {
  description = "Domain names that should serve the application. {{UIMeta group=3 order=401 updatesafe }}"
  type        = list(string)
  default     = []
}

variable "environment_variables" {
  description = "Environment variables given to the application. {{UIMeta group=3 order=402 updatesafe }}"
  type        = map(string)
  default     = {}
}

variable "api_token" {
  description = "Token the application uses to call its upstream API; stored in Secret Manager. {{UIMeta group=3 order=403 updatesafe }}"
  type        = string
  sensitive   = true
  default     = ""
}

variable "allow_public_traffic" {
  description = "Let anyone on the internet reach the application. {{UIMeta group=3 order=404 updatesafe }}"
  type        = bool
  default     = true
}
