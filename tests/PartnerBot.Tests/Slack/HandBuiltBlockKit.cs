using System.Text.Json.Nodes;
using PartnerBot.Bot.Channels.Slack;
using PartnerBot.Cards.Model;

namespace PartnerBot.Tests.Slack;

/// <summary>
/// Minimal Block Kit for the channel tests: a section with the summary and one button per action, following the
/// cards convention (action_id = verb + ":n", value = JSON data).
/// </summary>
internal sealed class HandBuiltBlockKit : ISlackBlockKit
{
    public SlackMessageContent RenderMessage(UiMessage message)
    {
        var blocks = new JsonArray(new JsonObject
        {
            ["type"] = "section",
            ["text"] = new JsonObject { ["type"] = "mrkdwn", ["text"] = message.Summary },
        });
        if (message.Actions.Count > 0)
        {
            var elements = new JsonArray();
            for (var i = 0; i < message.Actions.Count; i++)
            {
                var action = message.Actions[i];
                elements.Add(new JsonObject
                {
                    ["type"] = "button",
                    ["text"] = new JsonObject { ["type"] = "plain_text", ["text"] = action.Title },
                    ["action_id"] = $"{action.Verb}:{i}",
                    ["value"] = (action.Data ?? new JsonObject()).ToJsonString(),
                });
            }
            blocks.Add(new JsonObject { ["type"] = "actions", ["elements"] = elements });
        }
        return new SlackMessageContent(message.Summary, blocks);
    }

    public JsonObject ReadValues(JsonObject stateValues)
    {
        var values = new JsonObject();
        foreach (var (_, block) in stateValues)
            foreach (var (actionId, element) in block!.AsObject())
                values[actionId] = element!["value"]?.DeepClone() ?? element["selected_option"]?["value"]?.DeepClone();
        return values;
    }
}
