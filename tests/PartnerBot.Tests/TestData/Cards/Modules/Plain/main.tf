variable "public_access" {
  type    = bool
  default = false
}

variable "credit_cost" {
  type    = number
  default = 5
}

variable "bucket_name" {
  description = "Name of the bucket 🪣 (שם הדלי)."
  type        = string
}

variable "versioning" {
  type    = bool
  default = false
}

variable "lifecycle_days" {
  type    = number
  default = 30
  validation {
    condition     = var.lifecycle_days > 0
    error_message = "Must be positive."
  }
}

variable "tags" {
  type    = map(string)
  default = { team = "web" }
}
