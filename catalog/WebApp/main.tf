locals {
  service_name = "${var.project_id}-${var.app_name}"
  memory_by_size = {
    small  = "512Mi"
    medium = "1Gi"
    large  = "4Gi"
  }
}

resource "terraform_data" "service" {
  input = {
    name          = local.service_name
    image         = var.container_image
    memory        = local.memory_by_size[var.instance_size]
    max_instances = var.max_instances
    database      = "${var.project_id}-pg"
    env_names     = sort(keys(var.environment_variables))
    public        = var.allow_public_traffic
  }
}

resource "terraform_data" "api_token_secret" {
  count = var.api_token == "" ? 0 : 1
  input = {
    name   = "${local.service_name}-api-token"
    digest = sha256(var.api_token)
  }
}

resource "terraform_data" "domain_mapping" {
  for_each = toset(var.custom_domains)
  input = {
    domain  = each.value
    service = terraform_data.service.output.name
  }
}
