resource "terraform_data" "bucket" {
  input = {
    name           = "${var.site_name}-site"
    index_document = var.index_document
  }
}

resource "terraform_data" "cdn" {
  count = var.enable_cdn ? 1 : 0
  input = {
    origin      = terraform_data.bucket.output.name
    default_ttl = var.cache_ttl_seconds
  }
}
