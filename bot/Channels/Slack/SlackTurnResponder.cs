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
    ILogger logger,
    string? triggerId = null,
    string? viewId = null,
    SlackSubmissionReply? submission = null) : ITurnResponder
{
    private string? unusedTriggerId = triggerId;
    private string? currentViewId = viewId;

    private readonly string originalChannel = conversation.ChannelId;

    public SlackConversation Conversation { get; private set; } = conversation;

    public JsonObject ConversationAddress => Conversation.ToAddress();

    /// <summary>
    /// Posts the message (split into several Slack messages when it exceeds 50 blocks) and returns the first one's id.
    /// A form step opens as a modal when this turn can open one (then there is no message id); otherwise it is posted
    /// as a message with an "Open form" button, whose click brings the trigger id that opens it.
    /// </summary>
    public async Task<string?> SendAsync(UiMessage message, CancellationToken ct = default)
    {
        if (UiFormStepElement.In(message) is { } step && await TryShowModalAsync(step, ct)) return null;
        // A secret goes to its user only, as an ephemeral message: Slack keeps no history of those.
        var ephemeral = UiSecrets.Contains(message);
        string? first = null;
        foreach (var part in BlockKitRenderer.RenderMessages(message))
            first ??= await PostAsync(part, ephemeral, ct);
        return first;
    }

    public bool ShowsSecretsPrivately => true;

    public async Task<string?> UpdateAsync(string messageId, UiMessage message, CancellationToken ct = default)
    {
        if (UiFormStepElement.In(message) is { } step && await TryShowModalAsync(step, ct)) return messageId;
        // Ephemeral messages cannot be edited through the Web API: the new content comes as a new message.
        if (UiSecrets.Contains(message)) return await SendAsync(message, ct);
        if (SlackMessageId.TryParse(messageId, Conversation.ChannelId) is not { } target) return await SendAsync(message, ct);
        var parts = BlockKitRenderer.RenderMessages(message);
        try
        {
            await api.UpdateMessageAsync(target.Channel, target.Ts, parts[0], ct);
            foreach (var rest in parts.Skip(1)) await PostAsync(rest, false, ct);
            return messageId;
        }
        catch (SlackApiException e) when (e.Error is "message_not_found" or "cant_update_message" or "edit_window_closed")
        {
            logger.LogInformation("Slack message {Ts} cannot be updated ({Error}); sending a new one", messageId, e.Error);
            return await SendAsync(message, ct);
        }
    }

    private async Task<string?> PostAsync(SlackMessage part, bool onlyToUser, CancellationToken ct)
    {
        if (onlyToUser || Conversation.Ephemeral)
        {
            var ephemeral = await CallWithDirectMessageFallbackAsync(c =>
                api.PostEphemeralAsync(c.ChannelId, c.UserId, part, c.ThreadTs, ct), ct);
            return SlackMessageId.EphemeralPrefix + SlackTurnMapper.Str(ephemeral, "message_ts");
        }
        var posted = await CallWithDirectMessageFallbackAsync(c =>
            api.PostMessageAsync(c.ChannelId, part, c.ThreadTs, ct), ct);
        var ts = SlackTurnMapper.Str(posted, "ts");
        // After a move to the direct message the id names its channel, so edits find it from any address.
        return ts is not null && Conversation.ChannelId != originalChannel ? SlackMessageId.Format(Conversation.ChannelId, ts) : ts;
    }

    /// <summary>
    /// Shows a form step as a modal by the best means this turn has: the answer to the submission being handled,
    /// views.update of the modal the input came from, or views.open with the turn's trigger id. False when none works.
    /// Its submit button becomes <c>form.next</c> (<c>form.submit</c> on the last step) with <c>{formId, step}</c>
    /// plus the inputs, as on the other channels.
    /// </summary>
    private async Task<bool> TryShowModalAsync(UiFormStepElement step, CancellationToken ct)
    {
        var view = BlockKitRenderer.RenderModal(step.Form, step.StepIndex, step.Values, step.Errors);
        var verb = step.StepIndex == step.Form.Steps.Count - 1 ? CardVerbs.FormSubmit : CardVerbs.FormNext;
        view["private_metadata"] = new SlackViewMetadata(Conversation.TeamId, Conversation.ChannelId, Conversation.ThreadTs,
            Conversation.Ephemeral, step.Form.FormId, step.StepIndex, verb,
            FormPressData(step)).Serialize();
        var modal = new SlackModal(view, step.Form.FormId, step.StepIndex, step.Errors);

        if (submission is not null && submission.TryAnswerWith(modal)) return true;

        if (currentViewId is not null)
        {
            try
            {
                await api.UpdateViewAsync(currentViewId, view, ct: ct);
                return true;
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
                var opened = await api.OpenViewAsync(trigger, view, ct);
                currentViewId = SlackTurnMapper.Str(opened["view"], "id");
                return true;
            }
            catch (SlackApiException e) when (e.Error is "expired_trigger_id" or "invalid_trigger_id" or "exchanged_trigger_id")
            {
                logger.LogInformation("Slack trigger could not open the form ({Error}); posting an Open form button", e.Error);
            }
        }
        return false;
    }

    /// <summary>
    /// What the modal's buttons send besides the inputs: the form and step, and (as on the other channels) the keys of
    /// the step's secret inputs, so the Slack inbox can leave their values out.
    /// </summary>
    private static JsonObject FormPressData(UiFormStepElement step)
    {
        var data = new JsonObject { ["formId"] = step.Form.FormId, ["step"] = step.StepIndex };
        var secrets = step.Form.Step(step.StepIndex).Inputs.Where(i => i.Kind == UiInputKind.Secret)
            .Select(i => (JsonNode)PartnerBot.Cards.AdaptiveCards.AdaptiveCardRenderer.InputKey(i.Id)).ToArray();
        if (secrets.Length > 0) data[PartnerBot.Cards.AdaptiveCards.AdaptiveCardRenderer.SecretsKey] = new JsonArray(secrets);
        return data;
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

}
