resource "terraform_data" "thing" {
  input = "private"
}
