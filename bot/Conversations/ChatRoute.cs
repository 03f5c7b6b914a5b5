namespace PartnerBot.Bot.Conversations;

/// <summary>
/// One entry of a feature's route table: the card verb and typed commands that start it, the dialog that serves it,
/// and the card verb prefix it owns (so a button on an old card still lands in the right feature).
/// </summary>
/// <param name="Verb">The menu/card verb, also the typed command (<c>deploy</c>, <c>billing</c>, ...).</param>
/// <param name="DialogId">The dialog started for this route.</param>
/// <param name="Aliases">Other typed commands that mean the same.</param>
/// <param name="RequiredRole">A role the user must hold, or null for everyone.</param>
public sealed record ChatRoute(string Verb, string Title, string DialogId, IReadOnlyList<string>? Aliases = null, string? RequiredRole = null)
{
    public IReadOnlyList<string> Aliases { get; init; } = Aliases ?? [];

    /// <summary>Card verbs that start with <c>{Verb}.</c> belong to this route.</summary>
    public bool OwnsVerb(string verb) => verb == Verb || verb.StartsWith(Verb + ".", StringComparison.Ordinal);

    public bool MatchesCommand(string command) =>
        string.Equals(command, Verb, StringComparison.OrdinalIgnoreCase) || Aliases.Any(a => string.Equals(a, command, StringComparison.OrdinalIgnoreCase));
}

/// <summary>The routes of every feature, as registered in DI.</summary>
public sealed class ChatRouteTable(IEnumerable<ChatRoute> routes)
{
    public IReadOnlyList<ChatRoute> Routes { get; } = routes.ToList();

    public ChatRoute? ForVerb(string verb) =>
        Routes.Where(r => r.OwnsVerb(verb)).OrderByDescending(r => r.Verb.Length).FirstOrDefault();

    public ChatRoute? ForCommand(string command) => Routes.FirstOrDefault(r => r.MatchesCommand(command));
}
