resource "terraform_data" "thing" {
  input = "premium"
}
