# A helper sub-module: it has inputs but no public_access variable, so it is never listed.
variable "project_id" {
  description = "Project ID passed down from the parent module."
  type        = string
}

variable "application_config" {
  description = "Application settings."
  type = object({
    name            = string
    container_image = optional(string, "nginx:latest")
    env             = optional(map(string), {})
    init_script     = optional(string, <<-EOT
      #!/bin/sh
      echo ready
    EOT
    )
  })
  default = {
    name = "app"
  }
}

variable "deploy_mode" {
  type    = string
  default = "rolling"
  validation {
    condition     = contains(["rolling", "blue-green"], var.deploy_mode)
    error_message = "The deploy mode must be rolling or blue-green, not \"${var.deploy_mode}\"."
  }
}
