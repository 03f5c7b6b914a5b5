namespace PartnerBot.Cards.Model;

/// <summary>Every card verb the cards in this library emit, in one table. Handlers route on these strings.</summary>
public static class CardVerbs
{
    // Main menu
    public const string Deploy = "deploy";
    public const string Deployments = "deployments";
    public const string Publish = "publish";
    public const string GitHub = "github";
    public const string Billing = "billing";
    public const string Help = "help";
    public const string Support = "support";
    public const string Theme = "theme";
    public const string ApiKeys = "apikey";
    public const string Menu = "menu";

    // Catalog (data: module | tab, page, query)
    public const string DeployPick = "deploy.pick";
    public const string DeploySearch = "deploy.search";
    public const string DeployTab = "deploy.tab";
    public const string DeployPage = "deploy.page";

    // Deployment status (data: deploymentId)
    public const string DeploymentRefresh = "deployment.refresh";
    public const string DeploymentShow = "deployment.show";

    // Forms (data: formId, step)
    public const string FormBack = "form.back";
    public const string FormNext = "form.next";
    public const string FormSubmit = "form.submit";
    public const string FormCancel = "form.cancel";

    // Confirmation (data: whatever the caller passes)
    public const string Confirm = "confirm";
    public const string ConfirmCancel = "confirm.cancel";
}
