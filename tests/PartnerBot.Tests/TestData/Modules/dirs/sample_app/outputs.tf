output "url" {
  value = google_cloud_run_v2_service.app.uri
}

variable "extra_in_outputs_file" {
  description = "Variables may live in any .tf file. {{UIMeta group=3 order=1 }}"
  type        = string
  default     = "x"
}
