resource "google_cloud_run_v2_service" "app" {
  name     = "app-${var.region}"
  location = var.region
  template {
    scaling {
      min_instance_count = var.instance_count
    }
  }
}

module "helper" {
  source     = "./modules/helper"
  project_id = var.project_id
}
