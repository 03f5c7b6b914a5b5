variable "crlf_file" {
  description = "Windows line endings. {{UIMeta group=1 order=1 }}"
  type        = string
  default     = <<-EOT
    line one
      line two
    EOT
}

variable "public_access" {
  default = true
}
