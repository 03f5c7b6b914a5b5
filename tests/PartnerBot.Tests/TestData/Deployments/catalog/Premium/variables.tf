# Metadata read by the platform (never shown to partners as inputs).

variable "module_description" {
  description = "The description of the module. {{UIMeta group=0 order=101 }}"
  type        = string
  default     = "Premium: only purchased credits pay for it."
}

variable "module_documentation" {
  description = "The URL to the module documentation. {{UIMeta group=0 order=102 }}"
  type        = string
  default     = "https://docs.example.com/modules/premium"
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
  default     = 5
}

variable "require_credit_purchases" {
  description = "Set to true to require credit purchases to deploy this module. {{UIMeta group=0 order=106 }}"
  type        = bool
  default     = true
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
