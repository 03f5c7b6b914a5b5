using PartnerBot.Bot.Dialogs;

namespace PartnerBot.Bot.Conversations;

/// <summary>
/// What a feature uses to register its routes, in its own <c>*Routes.cs</c>:
/// <code>
/// routes.Dialog&lt;DeployDialog&gt;(DeployDialog.DialogId, role: Roles.Partner)
///     .Command("deploy", d =&gt; d.StartAsync, new("deploy [module]", "Deploy a module from the catalog"), ["create"], menu: "Deploy a module")
///     .Verb(DeploymentRoutes.Confirm, d =&gt; d.ConfirmAsync);
/// </code>
/// </summary>
public sealed class ChatRouteBuilder(string feature)
{
    private readonly List<ChatRoute> _routes = [];

    public string Feature { get; } = feature;

    public IReadOnlyList<ChatRoute> Routes => _routes;

    /// <summary>Routes served by methods of the dialog registered with <paramref name="dialogId"/>.</summary>
    /// <param name="role">A role every route of the group needs (checked before the handler runs).</param>
    /// <param name="audience">Who the help text lists the group's commands for; defaults to <paramref name="role"/>.</param>
    public RouteGroup<TDialog> Dialog<TDialog>(string dialogId, string? role = null, string? audience = null) where TDialog : Dialog =>
        new(this, dialogId, role, audience ?? role);

    /// <summary>Routes served by a service outside any dialog: they interrupt whatever dialog is open.</summary>
    public RouteGroup<THandler> Handler<THandler>(string? role = null, string? audience = null) where THandler : class =>
        new(this, null, role, audience ?? role);

    internal void Add(ChatRoute route) => _routes.Add(route);
}

/// <summary>The routes of one dialog (or handler service) of a feature.</summary>
public sealed class RouteGroup<T>(ChatRouteBuilder builder, string? dialogId, string? role, string? audience) where T : class
{
    /// <summary>
    /// A typed command (first word of the text, or the Slack slash sub-command) that starts the dialog afresh.
    /// With <paramref name="menu"/>, the main menu gets a button with that title whose verb is <paramref name="name"/>,
    /// served by the same handler.
    /// </summary>
    /// <param name="suggested">Also offered in the channels' command menus (Teams) although it has no menu button.</param>
    /// <param name="answersOnly">The handler only reads and sends (<see cref="ChatRoute.AnswersOnly"/>).</param>
    public RouteGroup<T> Command(string name, Func<T, RouteHandler> handler, CommandHelp help, IReadOnlyList<string>? aliases = null,
        string? menu = null, bool suggested = false, bool answersOnly = false)
    {
        builder.Add(new ChatRoute(RouteKind.Command, name, aliases ?? [], dialogId, typeof(T), Bind(handler), role, audience, help, menu,
            suggested, builder.Feature) { AnswersOnly = answersOnly });
        if (menu is not null)
            builder.Add(new ChatRoute(RouteKind.Verb, name, [], dialogId, typeof(T), Bind(handler), role, audience, null, null, false, builder.Feature)
                { AnswersOnly = answersOnly });
        return this;
    }

    /// <summary>A card verb: it continues the dialog when that dialog is open, and starts it otherwise.</summary>
    /// <param name="answersOnly">The handler only reads and sends (<see cref="ChatRoute.AnswersOnly"/>).</param>
    public RouteGroup<T> Verb(string verb, Func<T, RouteHandler> handler, bool answersOnly = false)
    {
        builder.Add(new ChatRoute(RouteKind.Verb, verb, [], dialogId, typeof(T), Bind(handler), role, audience, null, null, false, builder.Feature)
            { AnswersOnly = answersOnly });
        return this;
    }

    private static Func<object, RouteHandler> Bind(Func<T, RouteHandler> handler) => target => handler((T)target);
}
