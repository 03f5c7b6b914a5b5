using System.Text.Json.Nodes;
using PartnerBot.Bot.Channels.Slack;

namespace PartnerBot.Tests.Slack;

/// <summary>Hand-built modals for the channel tests (one plain-text input per step).</summary>
internal static class SlackJourney
{
    public static SlackModal Step(string formId, int step, string verb, IReadOnlyDictionary<string, string> errors, string inputId = "name") =>
        new(new JsonObject
        {
            ["type"] = "modal",
            ["callback_id"] = formId,
            ["title"] = new JsonObject { ["type"] = "plain_text", ["text"] = $"Step {step + 1}" },
            ["submit"] = new JsonObject { ["type"] = "plain_text", ["text"] = "Next" },
            ["close"] = new JsonObject { ["type"] = "plain_text", ["text"] = "Cancel" },
            ["blocks"] = new JsonArray(new JsonObject
            {
                ["type"] = "input",
                ["block_id"] = "in-" + inputId,
                ["label"] = new JsonObject { ["type"] = "plain_text", ["text"] = inputId },
                ["element"] = new JsonObject { ["type"] = "plain_text_input", ["action_id"] = inputId },
            }),
        }, formId, step, verb, new JsonObject { ["formId"] = formId, ["step"] = step }, errors);
}
