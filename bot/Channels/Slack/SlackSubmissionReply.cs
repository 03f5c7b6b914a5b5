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
        if (sameForm && modal.StepIndex == Submitted.StepIndex && modal.Errors.Count > 0)
        {
            var errors = new JsonObject();
            foreach (var (blockId, message) in modal.Errors) errors[blockId] = message;
            response = new JsonObject { ["response_action"] = "errors", ["errors"] = errors };
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
