# Metadata read by the platform (never shown to partners as inputs).

variable "module_description" {
  description = "The description of the module. {{UIMeta group=0 order=101 }}"
  type        = string
  default     = "Monitoring: uptime checks, alert policies and a notification channel for a partner's deployments."
}

variable "module_documentation" {
  description = "The URL to the module documentation. {{UIMeta group=0 order=102 }}"
  type        = string
  default     = "https://docs.example.com/modules/monitoring"
}

variable "module_dependency" {
  description = "Specify the names of the modules this module depends on in the order in which they should be deployed. {{UIMeta group=0 order=103 }}"
  type        = list(string)
  default     = []
}

variable "module_services" {
  description = "Specify the module services. {{UIMeta group=0 order=104 }}"
  type        = list(string)
  default     = ["Cloud Monitoring", "Uptime Checks", "Alerting"]
}

variable "credit_cost" {
  description = "Specify the module cost. {{UIMeta group=0 order=105 }}"
  type        = number
  default     = 0
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
  default     = false
}

variable "shared_users" {
  description = "Email addresses of users who may deploy this module when it is not public. {{UIMeta group=0 order=109 }}"
  type        = list(string)
  default     = ["ops@example.com"]
}

variable "technical_support_users" {
  description = "Email addresses of the people who support this module. {{UIMeta group=0 order=110 }}"
  type        = list(string)
  default     = ["support@example.com"]
}

# Partner inputs.

variable "project_id" {
  description = "Project to monitor. {{UIMeta group=1 order=201 }}"
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.project_id))
    error_message = "Project ID must be 6-30 characters, start with a letter, and contain only lowercase letters, numbers, and hyphens."
  }
}

variable "alert_emails" {
  description = "Email addresses that receive alerts (at least one). {{UIMeta group=1 order=202 updatesafe }}"
  type        = list(string)

  validation {
    condition     = length(var.alert_emails) > 0 && alltrue([for email in var.alert_emails : can(regex("^[^@ ]+@[^@ ]+\\.[^@ ]+$", email))])
    error_message = "Give at least one alert email address, each of the form name@example.com."
  }
}

variable "uptime_check_urls" {
  description = "Addresses checked every minute. {{UIMeta group=2 order=301 updatesafe }}"
  type        = list(string)
  default     = []
}

variable "check_interval_seconds" {
  description = "Seconds between uptime checks (60-900). {{UIMeta group=2 order=302 updatesafe }}"
  type        = number
  default     = 60

  validation {
    condition     = var.check_interval_seconds >= 60 && var.check_interval_seconds <= 900
    error_message = "The check interval must be between 60 and 900 seconds."
  }
}

variable "severity" {
  description = "Severity given to alerts. {{UIMeta group=2 order=303 updatesafe }}"
  type        = string
  default     = "WARNING"

  validation {
    condition     = contains(["CRITICAL", "ERROR", "WARNING"], var.severity)
    error_message = "Severity must be CRITICAL, ERROR or WARNING."
  }
}

variable "pager_webhook_url" {
  description = "Webhook of the on-call pager, including its secret token. {{UIMeta group=3 order=401 updatesafe }}"
  type        = string
  sensitive   = true
  default     = ""
}
