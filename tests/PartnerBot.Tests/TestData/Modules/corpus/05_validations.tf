variable "public_access" {
  type    = bool
  default = false
}

variable "trusted_users" {
  description = "Emails. {{UIMeta group=1 order=1 updatesafe }}"
  type        = list(string)
  default     = []

  validation {
    condition = alltrue([
      for user in var.trusted_users : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", user))
    ])
    error_message = "Every entry must be an email address."
  }

  validation {
    condition     = length(var.trusted_users) == length(distinct(var.trusted_users))
    error_message = "Duplicate entries are not allowed."
  }
}

variable "subnet_cidr_range" {
  type    = list(string)
  default = ["10.10.0.0/20"]
  validation {
    condition = alltrue([
      for cidr in var.subnet_cidr_range :
      can(cidrhost(cidr, 0)) && can(regex("^([0-9]{1,3}\\.){3}[0-9]{1,3}/[0-9]{1,2}$", cidr))
    ])
    error_message = <<-EOT
      Each range must be an IPv4 CIDR block
      such as 10.0.0.0/16.
    EOT
  }
}

variable "port" {
  type    = number
  default = 8080
  validation {
    condition     = var.port == null || (coalesce(var.port, 8080) > 0 && coalesce(var.port, 8080) <= 65535)
    error_message = "Port ${var.port} is out of range."
  }
}

variable "mode" {
  type    = string
  default = "setup"
  validation {
    condition     = var.mode != "}" && contains(["setup", "install"], lower(trimspace(var.mode)))
    error_message = "Mode must be \"setup\" or \"install\"."
  }
  validation {
    condition     = startswith(var.mode, "s") || endswith(var.mode, "l") ? true : false
    error_message = "Starts with s or ends with l."
  }
}

variable "labels" {
  type = map(string)
  default = { a = "1" }
  validation {
    condition     = alltrue([for k, v in var.labels : can(regex("^[a-z]+$", k)) && length(v) <= 63])
    error_message = "Label keys are lowercase letters; values at most 63 characters."
  }
  validation {
    condition     = anytrue([for k in keys(var.labels) : k == "a"]) || length({ for k, v in var.labels : v => k... }) == 0
    error_message = "Needs label a."
  }
}

variable "machines" {
  type = list(object({ name = string, size = number }))
  default = [{ name = "a", size = 1 }]
  validation {
    condition     = !contains(var.machines[*].name, "") && alltrue(var.machines.*.size != null ? [true] : [false])
    error_message = "Names must not be empty."
  }
  validation {
    condition     = length(var.machines) == 0 || var.machines[0].size >= 1 && var.machines[0]["name"] != "x"
    error_message = "First machine size must be positive."
  }
}
