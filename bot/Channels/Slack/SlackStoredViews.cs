using System.Text.Json.Nodes;
using PartnerBot.Api.Storage;

namespace PartnerBot.Bot.Channels.Slack;

/// <summary>
/// Modals waiting for a trigger id: when a form must be shown in answer to typed text (no trigger id), the view is kept
/// here and an "Open form" button carries its id; the click brings the trigger id that opens it.
/// </summary>
public sealed class SlackStoredViews(IDocumentStore store)
{
    public const string Container = "slackViews";
    private static readonly TimeSpan Lifetime = TimeSpan.FromDays(1);

    public async Task<string> SaveAsync(string conversationKey, JsonObject view, CancellationToken ct)
    {
        var id = Guid.NewGuid().ToString("N");
        await store.CreateAsync(Container, id, id, new JsonObject { ["conversation"] = conversationKey, ["view"] = view.DeepClone() },
            new DocumentOptions(Lifetime), ct);
        return id;
    }

    public async Task<JsonObject?> FindAsync(string id, CancellationToken ct)
    {
        var document = await store.ReadAsync(Container, id, id, ct);
        return document?.Body["view"]?.DeepClone() as JsonObject;
    }
}
