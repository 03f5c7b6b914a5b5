using System.Text.Json.Nodes;

namespace PartnerBot.Bot.Channels.Slack;

/// <summary>
/// The HTTP answer to a <c>view_submission</c>, decided by the dialog within the time budget: validation errors,
/// the next view (update/push), or nothing (close). Whatever comes after the answer was sent goes through the Web API.
/// </summary>
public sealed class SlackSubmissionReply(SlackViewMetadata submitted)
{
    private readonly TaskCompletionSource<JsonObject?> answer = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public SlackViewMetadata Submitted { get; } = submitted;

    public Task<JsonObject?> Answer => answer.Task;

    public bool IsOpen => !answer.Task.IsCompleted;

    /// <summary>Answers with <paramref name="modal"/>; false when the answer has already been sent.</summary>
    public bool TryAnswerWith(SlackModal modal)
    {
        if (!IsOpen) return false;
        JsonObject response;
        var sameForm = modal.FormKey == Submitted.FormKey;
        // Slack accepts errors only for input blocks of the submitted view; other messages stay in the updated view.
        var inputBlocks = (modal.View["blocks"] as JsonArray ?? [])
            .Where(b => (string?)b?["type"] == "input").Select(b => (string?)b?["block_id"]).OfType<string>().ToHashSet();
        var errors = modal.Errors.Where(e => inputBlocks.Contains(e.Key)).ToList();
        if (sameForm && modal.StepIndex == Submitted.StepIndex && errors.Count > 0 && errors.Count == modal.Errors.Count)
        {
            var map = new JsonObject();
            foreach (var (blockId, message) in errors) map[blockId] = Cards.Text.CardText.Plain(message, 1000);
            response = new JsonObject { ["response_action"] = "errors", ["errors"] = map };
        }
        else
        {
            response = new JsonObject { ["response_action"] = sameForm ? "update" : "push", ["view"] = modal.View.DeepClone() };
        }
        return answer.TrySetResult(response);
    }

    /// <summary>Closes the modal (an empty 200), unless an answer was given already.</summary>
    public bool TryClose() => answer.TrySetResult(null);
}
