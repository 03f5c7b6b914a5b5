using PartnerBot.Api.Identity;
using PartnerBot.Cards.Model;

namespace PartnerBot.Bot.Conversations;

/// <summary>
/// Every chat command and card verb of every feature with its handler: what the bot dispatches on, and the one source
/// of the help text, the main menu, the Slack slash sub-commands and usage hint, and the Teams command list.
/// </summary>
public sealed class ChatRouteTable
{
    /// <summary>Teams shows at most ten commands in a bot's command menu.</summary>
    public const int SuggestedLimit = 10;

    private readonly Dictionary<string, ChatRoute> _commands = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, ChatRoute> _verbs = new(StringComparer.Ordinal);

    /// <summary>Builds the table of <paramref name="features"/> (in their <see cref="IChatFeature.Order"/>).</summary>
    /// <exception cref="InvalidOperationException">Two routes claim the same command word or verb.</exception>
    public ChatRouteTable(IEnumerable<IChatFeature> features)
    {
        var routes = new List<ChatRoute>();
        foreach (var feature in features.OrderBy(f => f.Order).ThenBy(f => f.GetType().Name, StringComparer.Ordinal))
        {
            var builder = new ChatRouteBuilder(feature.GetType().Name);
            feature.MapRoutes(builder);
            routes.AddRange(builder.Routes);
        }
        foreach (var route in routes)
        {
            if (route.Kind == RouteKind.Command)
            {
                foreach (var word in route.Words)
                {
                    if (word.Length == 0 || word.Any(char.IsWhiteSpace))
                        throw new InvalidOperationException($"{route.Feature}: the command word '{word}' must be one word.");
                    if (!_commands.TryAdd(word, route))
                        throw new InvalidOperationException($"{route.Feature}: the command '{word}' is already registered by {_commands[word].Feature}.");
                }
            }
            else if (!_verbs.TryAdd(route.Name, route))
            {
                throw new InvalidOperationException($"{route.Feature}: the card verb '{route.Name}' is already registered by {_verbs[route.Name].Feature}.");
            }
        }
        Routes = routes;
        Commands = routes.Where(r => r.Kind == RouteKind.Command).ToList();
        Verbs = routes.Where(r => r.Kind == RouteKind.Verb).ToList();
        Menu = Commands.Where(c => c.MenuTitle is not null)
            .Select((c, i) => new UiAction(c.MenuTitle!, c.Name, Style: i == 0 ? UiActionStyle.Primary : UiActionStyle.Default))
            .ToList();
        Suggested = Commands.Where(c => c.MenuTitle is not null || c.Suggested).Take(SuggestedLimit).ToList();
    }

    /// <summary>The table of the product's own features, without a host (for the manifests the CLI prints).</summary>
    public static ChatRouteTable Product() => new(ChatFeatures.Discover());

    public IReadOnlyList<ChatRoute> Routes { get; }

    /// <summary>Every command, in feature order.</summary>
    public IReadOnlyList<ChatRoute> Commands { get; }

    public IReadOnlyList<ChatRoute> Verbs { get; }

    /// <summary>The main menu's buttons: one per command registered with a menu title.</summary>
    public IReadOnlyList<UiAction> Menu { get; }

    /// <summary>The commands channels offer in their own command menus: the menu commands, then the suggested ones.</summary>
    public IReadOnlyList<ChatRoute> Suggested { get; }

    /// <summary>The command of a typed word (name or alias, any case), or null.</summary>
    public ChatRoute? FindCommand(string word) => _commands.GetValueOrDefault(word);

    /// <summary>The route of a card verb, or null.</summary>
    public ChatRoute? FindVerb(string verb) => _verbs.GetValueOrDefault(verb);

    /// <summary>Every command word, names and aliases.</summary>
    public IEnumerable<string> CommandWords => _commands.Keys;

    /// <summary>The commands the help text lists for <paramref name="user"/>: those for everyone and those of the user's roles.</summary>
    public IEnumerable<ChatRoute> CommandsFor(PlatformUser user) =>
        Commands.Where(c => c.Audience is null || user.IsInRole(c.Audience));

    /// <summary>The command words for a usage line: <c>deploy|deployments|…</c> (names only, no aliases).</summary>
    public string UsageWords => string.Join("|", Commands.Select(c => c.Name));
}
