using System.Globalization;
using System.Text.Json.Nodes;
using PartnerBot.Api.Deployments;
using PartnerBot.Cards.Model;
using ApiDeploymentView = PartnerBot.Api.Deployments.DeploymentView;

namespace PartnerBot.Bot.Features.Deployments;

/// <summary>
/// The cards that ask before anything changes: the plan card (<c>N to add, M to change, K to destroy</c>, the resource
/// addresses by action, the credit cost, <b>Apply</b> and <b>Discard</b>) and the confirmations of destroy and purge,
/// which name the deployment and what goes.
/// </summary>
public static class PlanCards
{
    private const int AddressesShown = 25;

    public static UiMessage Plan(ApiDeploymentView d, TimeSpan planTtl)
    {
        var plan = d.Plan!;
        var destroying = plan.Action == DeploymentAction.Destroy;
        var title = destroying
            ? $"Destroy {d.ModuleName} ({d.Id})?"
            : plan.Action == DeploymentAction.Update ? $"Update plan for {d.ModuleName}" : $"Plan for {d.ModuleName}";
        var body = new List<UiElement>
        {
            new UiHeading(UiMarkdown.Escape(title, 200)),
            new UiText($"**{plan.Summary}**", destroying ? UiTextTone.Attention : UiTextTone.Default),
        };
        AddGroup(body, "Create", plan.Creates);
        AddGroup(body, "Change", plan.Updates);
        AddGroup(body, "Replace (destroy, then create)", plan.Replaces);
        AddGroup(body, "Destroy", plan.Deletes);
        if (!destroying && plan.Add + plan.Change + plan.Destroy == 0) body.Add(new UiText("Nothing changes in the infrastructure.", UiTextTone.Subtle));

        var facts = new List<UiFact> { new("Deployment", d.Id) };
        if (plan.ModuleVersion is { } version) facts.Add(new UiFact("Module version", version));
        facts.Add(new UiFact("Credits", CostText(d, plan.Action)));
        facts.Add(new UiFact("Valid until", (plan.CreatedAt + planTtl).ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)));
        body.Add(new UiFactSet(facts));
        if (destroying)
            body.Add(new UiText($"Apply destroys these resources of **{UiMarkdown.Escape(d.ModuleName, 80)}** ({d.Id}); this cannot be undone.", UiTextTone.Warning));

        var data = new JsonObject { ["deploymentId"] = d.Id, ["planId"] = plan.Id };
        return new UiMessage($"{title} {plan.Summary}.", body,
        [
            new UiAction("Apply", DeploymentRoutes.Apply, data.DeepClone().AsObject(), destroying ? UiActionStyle.Destructive : UiActionStyle.Primary),
            new UiAction("Discard", DeploymentRoutes.Discard, data.DeepClone().AsObject()),
        ]);
    }

    /// <summary>Before a destroy is even planned: which deployment, and the resources it has.</summary>
    public static UiMessage ConfirmDestroy(ApiDeploymentView d)
    {
        var body = new List<UiElement>
        {
            new UiHeading(UiMarkdown.Escape($"Destroy {d.ModuleName} ({d.Id})?", 200)),
            new UiText("This plans the destroy of the deployment's resources; you then see the plan and apply it to destroy them.", UiTextTone.Warning),
        };
        AddGroup(body, "Resources", d.Resources);
        if (d.Resources.Count == 0) body.Add(new UiText("The resources are listed in the destroy plan.", UiTextTone.Subtle));
        var data = new JsonObject { ["deploymentId"] = d.Id, ["confirmed"] = true };
        return new UiMessage($"Destroy {d.ModuleName} ({d.Id})?", body,
        [
            new UiAction("Destroy", DeploymentRoutes.Delete, data, UiActionStyle.Destructive),
            new UiAction("Keep it", DeploymentRoutes.Show, new JsonObject { ["deploymentId"] = d.Id }),
        ]);
    }

    /// <summary>Purge forgets the record and destroys nothing: the confirmation says exactly that.</summary>
    public static UiMessage ConfirmPurge(ApiDeploymentView d)
    {
        var body = new List<UiElement>
        {
            new UiHeading(UiMarkdown.Escape($"Purge {d.ModuleName} ({d.Id})?", 200)),
            new UiText("Purging removes this deployment's record only. Nothing is destroyed: its resources stay and are no longer managed here.", UiTextTone.Warning),
        };
        AddGroup(body, "Resources that stay", d.Resources);
        var data = new JsonObject { ["deploymentId"] = d.Id, ["confirmed"] = true };
        return new UiMessage($"Purge {d.ModuleName} ({d.Id})?", body,
        [
            new UiAction("Purge", DeploymentRoutes.Purge, data, UiActionStyle.Destructive),
            new UiAction("Keep it", DeploymentRoutes.Show, new JsonObject { ["deploymentId"] = d.Id }),
        ]);
    }

    private static string CostText(ApiDeploymentView d, DeploymentAction action)
    {
        if (action != DeploymentAction.Apply || d.Cost == 0) return d.Cost == 0 ? "Free" : "No new charge";
        var credits = d.Cost == 1 ? "1 credit" : $"{d.Cost:0.##} credits";
        return $"{credits}, reserved now and charged when the apply starts; refunded if you discard the plan";
    }

    private static void AddGroup(List<UiElement> body, string title, IReadOnlyList<string> addresses)
    {
        if (addresses.Count == 0) return;
        var shown = addresses.Take(AddressesShown).Select(a => "- " + UiMarkdown.Escape(a, 200));
        var more = addresses.Count > AddressesShown ? $"\n- … and {addresses.Count - AddressesShown} more" : "";
        body.Add(new UiText($"**{title}** ({addresses.Count})\n\n{string.Join("\n", shown)}{more}"));
    }
}
