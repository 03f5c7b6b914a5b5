resource "terraform_data" "thing" {
  input = "needs-tiny"
}
