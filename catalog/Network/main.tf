locals {
  network_name = "${var.project_id}-vpc"
  subnets = [
    for index in range(var.subnet_count) : {
      name = "${local.network_name}-subnet-${index + 1}"
      cidr = cidrsubnet("10.20.0.0/16", 8, index)
    }
  ]
}

resource "terraform_data" "network" {
  input = {
    name   = local.network_name
    region = var.region
  }
}

resource "terraform_data" "subnet" {
  count = var.subnet_count
  input = merge(local.subnets[count.index], { network = terraform_data.network.output.name })
}

resource "terraform_data" "nat" {
  count = var.enable_nat ? 1 : 0
  input = {
    name    = "${local.network_name}-nat"
    network = terraform_data.network.output.name
  }
}
