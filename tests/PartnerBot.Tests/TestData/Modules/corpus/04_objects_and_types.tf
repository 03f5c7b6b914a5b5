variable "network" {
  description = "Network settings. {{UIMeta group=1 order=10 }}"
  type = object({
    name        = string                      # the VPC name
    cidr_ranges = list(string)                // one or more ranges
    mtu         = optional(number, 1460)      /* inline comment */
    tags        = optional(map(string), {})
    labels      = optional(object({ team = string, cost_center = optional(string, "shared costs") }), { team = "platform" })
    flags       = optional(tuple([bool, number, string]))
  })
  default = {
    name        = "main-vpc"
    cidr_ranges = ["10.0.0.0/16", "10.1.0.0/16"]
    mtu         = 1500
    tags        = { "env" = "prod", owner: "ops", "dotted.key" = "x" }
    labels      = { team = "web" }
    flags       = [true, 1.5e3, "s"]
  }
}

variable "maps" {
  type    = map(object({ size = number, enabled = bool }))
  default = {
    small = { size = 1, enabled = true },
    large = {
      size    = 100
      enabled = false
    },
  }
}

variable "set_of_numbers" {
  type    = set(number)
  default = [1, 2, 3, 0.25, 1e-2, 12345678901234567890, -7, -0.5]
}

variable "any_value" {
  type    = any
  default = { nested = [[1, 2], [], {}, [{ deep = null }]], empty_string = "" }
}

variable "nullable_list" {
  type     = list(string)
  default  = null
  nullable = true
}

variable "quoted_object_keys_type" {
  type = object({"quoted" = string, plain = number})
}

variable "trailing_commas" {
  type    = list(object({ a = string, }))
  default = [{ a = "x", }, ]
}
