mock_provider "aws" {
  mock_resource "aws_route53_zone" {
    defaults = { zone_id = "Z0DEVZONE", name_servers = ["ns-1.awsdns-01.org", "ns-2.awsdns-02.net"] }
  }
  mock_data "aws_route53_zone" {
    defaults = { zone_id = "Z0PARENT", name_servers = ["ns-9.awsdns-09.com"] }
  }
}

run "a_sub_zone_is_created_and_gives_its_name_servers_for_the_delegation" {
  command = apply
  variables {
    zone_name      = "dev.zebroscrm.com"
    create_enabled = true
  }
  assert {
    condition     = aws_route53_zone.this[0].name == "dev.zebroscrm.com" && length(data.aws_route53_zone.existing) == 0
    error_message = "create_enabled creates the zone and looks nothing up."
  }
  assert {
    condition     = output.zone_id == "Z0DEVZONE" && output.name_servers == tolist(["ns-1.awsdns-01.org", "ns-2.awsdns-02.net"])
    error_message = "The created zone's ID and name servers are the outputs."
  }
}

run "the_parent_zone_is_looked_up_and_delegates_sub_zones" {
  command = apply
  variables {
    zone_name   = "zebroscrm.com"
    delegations = { "dev.zebroscrm.com" = ["ns-1.awsdns-01.org", "ns-2.awsdns-02.net"] }
  }
  assert {
    condition     = length(aws_route53_zone.this) == 0 && data.aws_route53_zone.existing[0].name == "zebroscrm.com" && output.zone_id == "Z0PARENT"
    error_message = "Without create_enabled the existing zone is used."
  }
  assert {
    condition = (aws_route53_record.delegation["dev.zebroscrm.com"].type == "NS"
      && aws_route53_record.delegation["dev.zebroscrm.com"].zone_id == "Z0PARENT"
    && aws_route53_record.delegation["dev.zebroscrm.com"].records == toset(["ns-1.awsdns-01.org", "ns-2.awsdns-02.net"]))
    error_message = "A delegation is an NS record in this zone."
  }
}

run "an_existing_zone_can_be_named_by_id" {
  command = plan
  variables {
    zone_name        = "staging.zebroscrm.com"
    existing_zone_id = "Z0STAGINGZONE"
  }
  override_data {
    target = data.aws_route53_zone.existing[0]
    values = { zone_id = "Z0STAGINGZONE", name = "staging.zebroscrm.com." }
  }
  assert {
    condition     = output.zone_id == "Z0STAGINGZONE"
    error_message = "existing_zone_id looks the zone up by ID."
  }
}

run "an_existing_zone_id_must_be_the_named_zone" {
  command = plan
  variables {
    zone_name        = "staging.zebroscrm.com"
    existing_zone_id = "Z0PARENT"
  }
  override_data {
    target = data.aws_route53_zone.existing[0]
    values = { zone_id = "Z0PARENT", name = "zebroscrm.com" }
  }
  expect_failures = [data.aws_route53_zone.existing[0]]
}

run "only_sub_zones_are_delegated" {
  command = plan
  variables {
    zone_name   = "zebroscrm.com"
    delegations = { "example.org" = ["ns-1.awsdns-01.org"] }
  }
  expect_failures = [var.delegations]
}
