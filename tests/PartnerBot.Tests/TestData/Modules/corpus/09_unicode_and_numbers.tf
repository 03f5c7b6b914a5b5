variable "unicode" {
  description = "Ünïcödé — “quotes” 日本語 👍 {{UIMeta group=1 order=1 }}"
  default     = { "ключ" = "значение", "emoji😀" = "✓" }
}

variable "numbers" {
  default = [0, 1, -1, 3.14159, 2.5e10, 6.02E23, 1.0, 100.50, 0.000001, 007]
}

variable "bools_and_null" {
  default = [true, false, null, "true", "null"]
}

variable "ephemeral_token" {
  type      = string
  ephemeral = true
  sensitive = true
}

variable "nullable_false" {
  type     = number
  default  = 0
  nullable = false
}
