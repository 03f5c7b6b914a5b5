/* A block comment before everything
   spanning lines */
// line comment
# hash comment
variable /* label comment */ "commented" { # trailing
  # inside
  description = "Comments around. {{UIMeta group=3 order=7 }}" // after value
  type = list( # inside a call
    string
  )
  default = [ # after bracket
    "a", # after item
    // between items
    "b" /* before comma */,
    "c"
  ]
  validation {
    condition     = length(var.commented) > 0 /* comment after condition */
    error_message = "At least one." # comment after message
  }
}

variable "empty" {}

variable "empty_multiline" {
}

variable "only_default" { default = "one-liner" }
