namespace PartnerBot.Api.Http;

/// <summary>Every REST route of the deployments, catalog and credits features, in one table.</summary>
public static class ApiRoutes
{
    public const string OpenApiDocument = "/openapi/v1.json";

    public const string Deployments = "/api/deployments";              // GET list (?all=true for admins), POST start
    public const string Deployment = "/api/deployments/{id}";          // GET one, DELETE destroy (?purge=true)
    public const string DeploymentLogs = "/api/deployments/{id}/logs"; // GET full log, paged
    public const string DeploymentCancel = "/api/deployments/{id}/cancel";   // POST
    public const string DeploymentUpdate = "/api/deployments/{id}/update";   // POST changed updatesafe inputs
    public const string DeploymentApply = "/api/deployments/{id}/apply";     // POST apply the plan waiting in PlanReady
    public const string DeploymentDiscard = "/api/deployments/{id}/discard"; // POST drop the plan waiting in PlanReady
    public const string DeploymentRetry = "/api/deployments/{id}/retry";     // POST plan a failed action again
    public const string DeploymentUpgrade = "/api/deployments/{id}/upgrade"; // GET what the catalog's newer module version changes
    public const string DeploymentEvents = "/api/deployments/{id}/events";   // POST runner callbacks (HMAC, no API key)
    public const string TerraformState = "/api/terraform/state/{id}";      // Terraform http backend (basic auth, no API key)

    public const string Modules = "/api/modules";                      // GET the catalog the caller sees
    public const string Module = "/api/modules/{name}";                // GET one module with its inputs

    public const string Credits = "/api/credits";                      // GET balances
    public const string CreditTransactions = "/api/credits/transactions"; // GET history, newest first
}
