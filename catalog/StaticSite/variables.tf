# Metadata read by the platform (never shown to partners as inputs).

variable "module_description" {
  description = "The description of the module. {{UIMeta group=0 order=101 }}"
  type        = string
  default     = "StaticSite: a static website bucket behind a CDN with HTTPS, for documentation and landing pages."
}

variable "module_documentation" {
  description = "The URL to the module documentation. {{UIMeta group=0 order=102 }}"
  type        = string
  default     = "https://docs.example.com/modules/static-site"
}

variable "module_dependency" {
  description = "Specify the names of the modules this module depends on in the order in which they should be deployed. {{UIMeta group=0 order=103 }}"
  type        = list(string)
  default     = []
}

variable "module_services" {
  description = "Specify the module services. {{UIMeta group=0 order=104 }}"
  type        = list(string)
  default     = ["Cloud Storage", "Cloud CDN"]
}

variable "credit_cost" {
  description = "Specify the module cost. {{UIMeta group=0 order=105 }}"
  type        = number
  default     = 5
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

variable "site_name" {
  description = "Name of the site (lowercase letters, digits and hyphens, 3-40 characters). {{UIMeta group=1 order=201 }}"
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$", var.site_name))
    error_message = "Site name must be 3-40 characters of lowercase letters, digits and hyphens, not starting or ending with a hyphen."
  }
}

variable "index_document" {
  description = "Page served for the site root. {{UIMeta group=1 order=202 updatesafe }}"
  type        = string
  default     = "index.html"
}

variable "enable_cdn" {
  description = "Serve the site through the CDN. {{UIMeta group=2 order=301 updatesafe }}"
  type        = bool
  default     = true
}

variable "cache_ttl_seconds" {
  description = "How long the CDN caches pages, in seconds (0-86400). {{UIMeta group=2 order=302 updatesafe }}"
  type        = number
  default     = 3600

  validation {
    condition     = var.cache_ttl_seconds >= 0 && var.cache_ttl_seconds <= 86400
    error_message = "Cache TTL must be between 0 and 86400 seconds."
  }
}
