# A negative cost, as a string.

variable "module_description" {
  description = "Module description. {{UIMeta group=0 order=100 }}"
  type        = string
  default     = "NegativeCost for a partner project."
}

variable "module_documentation" {
  description = "Module documentation URL. {{UIMeta group=0 order=101 }}"
  type        = string
  default     = "https://docs.example.com/modules/negativecost"
}

variable "module_dependency" {
  description = "Modules this one depends on. {{UIMeta group=0 order=102 }}"
  type        = list(string)
  default     = ["GCP_Project"]
}

variable "module_services" {
  description = "Services the module deploys. {{UIMeta group=0 order=103 }}"
  type        = list(string)
  default     = ["Compute Engine"]
}

variable "credit_cost" {
  description = "Credits charged for a deployment. {{UIMeta group=0 order=104 }}"
  type        = string
  default     = "-5"
}

variable "require_credit_purchases" {
  description = "Only purchased credits can pay for it. {{UIMeta group=0 order=105 }}"
  type        = string
  default     = "false"
}

variable "enable_purge" {
  description = "Allow the deployment to be purged. {{UIMeta group=0 order=106 }}"
  type        = string
  default     = "true"
}

variable "public_access" {
  description = "Visible to every user. {{UIMeta group=0 order=107 }}"
  type        = string
  default     = "true"
}

variable "shared_users" {
  description = "Users the module is shared with. {{UIMeta group=0 order=108 }}"
  type        = list(string)
  default     = []
}

variable "technical_support_users" {
  description = "Technical support contacts. {{UIMeta group=0 order=109 }}"
  type        = list(string)
  default     = ["support@example.com"]
}

variable "project_id" {
  description = "Project to deploy into. {{UIMeta group=1 order=1 }}"
  type        = string
}
