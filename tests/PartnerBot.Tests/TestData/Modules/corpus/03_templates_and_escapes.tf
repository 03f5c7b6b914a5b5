variable "escapes" {
  description = "Tab:\t newline:\n carriage:\r quote:\" backslash:\\ e-acute:\u00e9 emoji:\U0001F600 snowman:☃"
  default     = "dollar $ percent % brace { } $${x} %%{y} $$ %%"
  type        = string
}

variable "templated_description" {
  description = "Uses ${var.other} and ${ upper("x") } and %{ if var.flag }yes%{ else }no%{ endif }."
  default     = "constant ${"interpolation"} folds to ${42} and ${true}"
}

variable "template_for" {
  description = "List: %{ for i, name in var.names }${i}=${name} %{ endfor }end"
  default     = "${3}"
}

variable "strip_markers" {
  description = "left   ${~ var.x ~}   right"
  default     = "a${"b"}c"
}

variable "label with spaces and \"quotes\"" {
  type    = string
  default = ""
}

variable unquoted_label {
  default = "labels may be bare identifiers"
}
