resource "terraform_data" "notification_channel" {
  for_each = toset(var.alert_emails)
  input = {
    type    = "email"
    address = each.value
  }
}

resource "terraform_data" "pager_channel" {
  count = var.pager_webhook_url == "" ? 0 : 1
  input = {
    type   = "webhook"
    digest = sha256(var.pager_webhook_url)
  }
}

resource "terraform_data" "uptime_check" {
  for_each = toset(var.uptime_check_urls)
  input = {
    url      = each.value
    period   = "${var.check_interval_seconds}s"
    project  = var.project_id
    severity = var.severity
  }
}
