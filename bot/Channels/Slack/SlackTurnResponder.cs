using System.Text.Json.Nodes;
using PartnerBot.Bot.Conversations;
using PartnerBot.Cards.BlockKit;
using PartnerBot.Cards.Forms;
using PartnerBot.Cards.Model;

namespace PartnerBot.Bot.Channels.Slack;

/// <summary>
/// Answers one Slack turn through the Web API: messages with chat.postMessage (chat.postEphemeral where only the user
/// should see them), edits with chat.update, forms as modals (the view_submission HTTP answer, views.update,
/// views.open with the turn's trigger id, or an "Open form" button when there is no trigger id).
/// </summary>
public sealed class SlackTurnResponder(
    SlackConversation conversation,
    SlackWebApiClient api,
    SlackStoredViews storedViews,
    ILogger logger,
    string? triggerId = null,
    string? viewId = null,
    SlackSubmissionReply? submission = null) : ITurnResponder
{
    private const string EphemeralPrefix = "ephemeral:";
    private string? unusedTriggerId = triggerId;
    private string? currentViewId = viewId;

    public SlackConversation Conversation { get; private set; } = conversation;

    public JsonObject ConversationAddress => Conversation.ToAddress();

    /// <summary>Posts the message (split into several Slack messages when it exceeds 50 blocks); returns the first one's id.</summary>
    public async Task<string?> SendAsync(UiMessage message, CancellationToken ct = default)
    {
        string? first = null;
        foreach (var part in BlockKitRenderer.RenderMessages(message))
            first ??= await PostAsync(part, ct);
        return first;
    }

    private async Task<string?> PostAsync(SlackMessage part, CancellationToken ct)
    {
        if (Conversation.Ephemeral)
        {
            var ephemeral = await CallWithDirectMessageFallbackAsync(c =>
                api.PostEphemeralAsync(c.ChannelId, c.UserId, part.Text, Copy(part.Blocks), c.ThreadTs, ct), ct);
            return EphemeralPrefix + SlackTurnMapper.Str(ephemeral, "message_ts");
        }
        var posted = await CallWithDirectMessageFallbackAsync(c =>
            api.PostMessageAsync(c.ChannelId, part.Text, Copy(part.Blocks), c.ThreadTs, ct), ct);
        return SlackTurnMapper.Str(posted, "ts");
    }

    public async Task<string?> UpdateAsync(string messageId, UiMessage message, CancellationToken ct = default)
    {
        // Ephemeral messages cannot be edited through the Web API: the new content comes as a new message.
        if (messageId.StartsWith(EphemeralPrefix, StringComparison.Ordinal)) return await SendAsync(message, ct);
        var parts = BlockKitRenderer.RenderMessages(message);
        try
        {
            var updated = await api.UpdateMessageAsync(Conversation.ChannelId, messageId, parts[0].Text, Copy(parts[0].Blocks), ct);
            foreach (var rest in parts.Skip(1)) await PostAsync(rest, ct);
            return SlackTurnMapper.Str(updated, "ts") ?? messageId;
        }
        catch (SlackApiException e) when (e.Error is "message_not_found" or "cant_update_message" or "edit_window_closed")
        {
            logger.LogInformation("Slack message {Ts} cannot be updated ({Error}); sending a new one", messageId, e.Error);
            return await SendAsync(message, ct);
        }
    }

    /// <summary>
    /// Shows one step of a form as a modal. Its submit button becomes <c>form.next</c> (or <c>form.submit</c> on the
    /// last step) with data <c>{formId, step}</c> plus the inputs, as on the other channels.
    /// </summary>
    public Task ShowFormStepAsync(UiForm form, int stepIndex, IReadOnlyDictionary<string, string?> values,
        IReadOnlyDictionary<string, string> errors, CancellationToken ct = default)
    {
        var view = BlockKitRenderer.RenderModal(form, stepIndex, values, errors);
        var verb = stepIndex == form.Steps.Count - 1 ? CardVerbs.FormSubmit : CardVerbs.FormNext;
        return ShowModalAsync(new SlackModal(view, form.FormId, stepIndex, verb,
            new JsonObject { ["formId"] = form.FormId, ["step"] = stepIndex }, errors), ct);
    }

    /// <summary>Shows a modal view, by the best means this turn has.</summary>
    public async Task ShowModalAsync(SlackModal modal, CancellationToken ct = default)
    {
        var view = modal.View.DeepClone().AsObject();
        view["private_metadata"] = new SlackViewMetadata(Conversation.TeamId, Conversation.ChannelId, Conversation.ThreadTs,
            Conversation.Ephemeral, modal.FormKey, modal.StepIndex, modal.Verb, modal.Data).Serialize();
        modal = modal with { View = view };

        if (submission is not null && submission.TryAnswerWith(modal)) return;

        if (currentViewId is not null)
        {
            try
            {
                await api.UpdateViewAsync(currentViewId, view.DeepClone().AsObject(), ct: ct);
                return;
            }
            catch (SlackApiException e) when (e.Error is "not_found" or "view_not_found")
            {
                currentViewId = null;
            }
        }

        if (unusedTriggerId is { } trigger)
        {
            unusedTriggerId = null;
            try
            {
                var opened = await api.OpenViewAsync(trigger, view.DeepClone().AsObject(), ct);
                currentViewId = SlackTurnMapper.Str(opened["view"], "id");
                return;
            }
            catch (SlackApiException e) when (e.Error is "expired_trigger_id" or "invalid_trigger_id" or "exchanged_trigger_id")
            {
                logger.LogInformation("Slack trigger could not open the form ({Error}); offering an Open form button", e.Error);
            }
        }

        await OfferOpenFormButtonAsync(view, ct);
    }

    /// <summary>Opens a modal kept by <see cref="SlackStoredViews"/> with this turn's trigger id.</summary>
    public async Task<bool> OpenStoredViewAsync(string storedViewId, CancellationToken ct)
    {
        var view = await storedViews.FindAsync(storedViewId, ct);
        if (view is null || unusedTriggerId is not { } trigger) return false;
        unusedTriggerId = null;
        var opened = await api.OpenViewAsync(trigger, view, ct);
        currentViewId = SlackTurnMapper.Str(opened["view"], "id");
        return true;
    }

    private async Task OfferOpenFormButtonAsync(JsonObject view, CancellationToken ct)
    {
        var id = await storedViews.SaveAsync(Conversation.Key, view, ct);
        var title = view["title"]?["text"]?.GetValue<string>() ?? "Form";
        var message = new UiMessage($"{title}: open the form to continue.",
            [new UiText($"**{title}**: open the form to continue.")],
            [new UiAction("Open form", SlackRoutes.OpenFormAction, new JsonObject { ["view"] = id }, UiActionStyle.Primary)]);
        await SendAsync(message, ct);
    }

    /// <summary>
    /// Posts into the conversation; when the bot may not post there (not a member, channel hidden from it), the
    /// conversation moves to the user's direct message with the bot.
    /// </summary>
    private async Task<JsonObject> CallWithDirectMessageFallbackAsync(Func<SlackConversation, Task<JsonObject>> call, CancellationToken ct)
    {
        try
        {
            return await call(Conversation);
        }
        catch (SlackApiException e) when (e.Error is "channel_not_found" or "not_in_channel" && !Conversation.IsDirectMessage)
        {
            logger.LogInformation("Slack channel {Channel} is closed to the bot ({Error}); answering in a direct message", Conversation.ChannelId, e.Error);
            var directChannel = await api.OpenDirectMessageAsync(Conversation.UserId, ct);
            Conversation = Conversation with { ChannelId = directChannel, ThreadTs = null, Ephemeral = false };
            return await call(Conversation);
        }
    }

    private static JsonArray Copy(JsonArray blocks) => blocks.DeepClone().AsArray();
}
