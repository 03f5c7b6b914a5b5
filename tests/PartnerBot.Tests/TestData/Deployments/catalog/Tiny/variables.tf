# Metadata read by the platform (never shown to partners as inputs).

variable "module_description" {
  description = "The description of the module. {{UIMeta group=0 order=101 }}"
  type        = string
  default     = "Tiny: a one-resource module used to test deployments."
}

variable "module_documentation" {
  description = "The URL to the module documentation. {{UIMeta group=0 order=102 }}"
  type        = string
  default     = "https://docs.example.com/modules/tiny"
}

variable "module_dependency" {
  description = "Specify the names of the modules this module depends on in the order in which they should be deployed. {{UIMeta group=0 order=103 }}"
  type        = list(string)
  default     = []
}

variable "module_services" {
  description = "Specify the module services. {{UIMeta group=0 order=104 }}"
  type        = list(string)
  default     = ["Testing"]
}

variable "credit_cost" {
  description = "Specify the module cost. {{UIMeta group=0 order=105 }}"
  type        = number
  default     = 1
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

variable "label" {
  description = "A label (lowercase letters and digits, 3-20 characters). {{UIMeta group=1 order=201 }}"
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9]{3,20}$", var.label))
    error_message = "The label must be 3-20 lowercase letters or digits."
  }
}

variable "size" {
  description = "Size (1-10). {{UIMeta group=1 order=202 updatesafe }}"
  type        = number
  default     = 1

  validation {
    condition     = var.size >= 1 && var.size <= 10
    error_message = "Size must be between 1 and 10."
  }
}

variable "password" {
  description = "A secret. {{UIMeta group=1 order=203 }}"
  type        = string
  sensitive   = true
  default     = ""
}
