using System.Text.Json.Nodes;
using PartnerBot.Api.Modules;

namespace PartnerBot.Tests.Cards;

/// <summary>Hand-built modules shaped like the real corpus (UIMeta groups, validations, metadata variables).</summary>
internal static class SampleModules
{
    public static ModuleVariable Var(string name, string? type, string? description, JsonNode? @default = null, bool hasDefault = true,
        int? group = null, int? order = null, bool updateSafe = false, bool sensitive = false, params VariableValidation[] validations) =>
        new(name, type, description, @default, hasDefault, sensitive, Nullable: true, group, order, updateSafe, validations);

    public static TerraformModule Wordpress() => new("Wordpress", true, [], ModuleMetadata.Empty with { Description = "WordPress on Cloud Run", CreditCost = 25 },
    [
        Var("module_description", "string", "The description of the module. {{UIMeta group=0 order=0 }}", "WordPress", group: 0, order: 0),
        Var("credit_cost", "number", "Specify the module cost {{UIMeta group=0 order=4 }}", 25, group: 0, order: 4),
        Var("public_access", "bool", "Public {{UIMeta group=0 order=8 }}", true, group: 0, order: 8),
        Var("existing_project_id", "string", "Select an existing project ID. {{UIMeta group=2 order=501 }}", hasDefault: false, group: 2, order: 501,
            validations: new VariableValidation("can(regex(\"^[a-z][a-z0-9-]{4,28}[a-z0-9]$\", var.existing_project_id))", "Project IDs are 6-30 lowercase letters, digits or hyphens.")),
        Var("availability_regions", "list(string)", "The one or two regions. {{UIMeta group=2 order=503 updatesafe }}", new JsonArray("us-central1"), group: 2, order: 503, updateSafe: true),
        Var("tenant_deployment_id", "string", "Unique ID suffix. {{UIMeta group=2 order=502 }}", "demo", group: 2, order: 502,
            validations: new VariableValidation("can(regex(\"^[a-z0-9-]{1,20}$\", var.tenant_deployment_id))", "Use 1-20 lowercase letters, digits or hyphens.")),
        Var("create_postgres", "bool", "Select to create PostgreSQL database instance. {{UIMeta group=3 order=400 updatesafe }}", false, group: 3, order: 400, updateSafe: true),
        Var("database_availability_type", "string", "The availability type. {{UIMeta group=3 order=401 options=ZONAL,REGIONAL }}", "ZONAL", group: 3, order: 401),
        Var("database_password_length", "number", "Length of the generated password. {{UIMeta group=3 order=402 updatesafe }}", 16, group: 3, order: 402, updateSafe: true,
            validations: new VariableValidation("var.database_password_length >= 8 && var.database_password_length <= 64", "Between 8 and 64.")),
        Var("ingress_settings", "string", "Ingress. {{UIMeta group=3 order=403 }}", "all", group: 3, order: 403,
            validations: new VariableValidation("contains([\"all\", \"internal\", \"internal-and-cloud-load-balancing\"], var.ingress_settings)", "Pick one.")),
        Var("admin_password", "string", "Admin password. {{UIMeta group=3 order=404 }}", hasDefault: false, group: 3, order: 404, sensitive: true),
        Var("labels", "map(string)", "Labels to assign to resources. {{UIMeta group=0 order=103 }}", new JsonObject { ["env"] = "dev" }, group: 0, order: 103),
        Var("trusted_users", "list(string)", "Trusted users. {{UIMeta group=0 order=102 updatesafe }}", new JsonArray(), group: 0, order: 102, updateSafe: true),
        Var("maintenance_date", "string", "First maintenance day (YYYY-MM-DD).", null, group: null),
        Var("site_title", "string", "Title of the site (no UIMeta, required).", hasDefault: false),
    ]);
}
