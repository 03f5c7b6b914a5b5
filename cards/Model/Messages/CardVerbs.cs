namespace PartnerBot.Cards.Model;

/// <summary>
/// The verbs the cards of this library emit by themselves. Features own their other verbs (in their route tables);
/// a host that shows these cards must serve these verbs: <c>form.*</c> go to the dialog that shows the form, the
/// others are routes of the host's features.
/// </summary>
public static class CardVerbs
{
    /// <summary>The main menu (<see cref="ErrorCard"/>'s default button).</summary>
    public const string Menu = "menu";

    /// <summary>Contact support (<see cref="ErrorCard"/>'s default button).</summary>
    public const string Support = "support";

    // Catalog (data: module | tab, page, query)
    public const string DeployPick = "deploy.pick";
    public const string DeploySearch = "deploy.search";
    public const string DeployTab = "deploy.tab";
    public const string DeployPage = "deploy.page";

    // Form steps (data: formId, step); rendered by the Adaptive Card and Block Kit form renderers.
    public const string FormBack = "form.back";
    public const string FormNext = "form.next";
    public const string FormSubmit = "form.submit";
    public const string FormCancel = "form.cancel";

    /// <summary>Opens a form step as a modal (Slack messages carry this button instead of the form).</summary>
    public const string FormOpen = "form.open";

    /// <summary>Whether <paramref name="verb"/> is one of a form's own buttons, served by the dialog showing the form.</summary>
    public static bool IsFormVerb(string verb) => verb.StartsWith("form.", StringComparison.Ordinal);
}
