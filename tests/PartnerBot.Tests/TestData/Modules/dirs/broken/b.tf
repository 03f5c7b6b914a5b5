variable "broken" {
  default = [1, 2
