using System.Text.Json.Nodes;
using PartnerBot.Bot.Conversations;

namespace PartnerBot.Bot.Channels.Slack;

/// <summary>The Slack app manifest (schema v1) for an installation reachable at a public base URL.</summary>
public static class SlackManifest
{
    public const string AppName = "PartnerBot";

    /// <param name="routes">The chat commands, for the slash command's usage hint.</param>
    public static JsonObject Build(string publicBaseUrl, ChatRouteTable routes)
    {
        if (!Uri.TryCreate(publicBaseUrl, UriKind.Absolute, out var baseUri) || baseUri.Scheme is not ("http" or "https"))
            throw new ArgumentException($"PublicBaseUrl '{publicBaseUrl}' must be an absolute http(s) URL.", nameof(publicBaseUrl));
        var requestUrl = publicBaseUrl.TrimEnd('/') + SlackRoutes.Events;

        return new JsonObject
        {
            ["_metadata"] = new JsonObject { ["major_version"] = 1, ["minor_version"] = 1 },
            ["display_information"] = new JsonObject
            {
                ["name"] = AppName,
                ["description"] = "Deploy Terraform modules of the cloud platform, paid in credits, from chat.",
                ["background_color"] = "#1d3c6e",
            },
            ["features"] = new JsonObject
            {
                ["app_home"] = new JsonObject
                {
                    ["home_tab_enabled"] = false,
                    ["messages_tab_enabled"] = true,
                    ["messages_tab_read_only_enabled"] = false,
                },
                ["bot_user"] = new JsonObject { ["display_name"] = AppName, ["always_online"] = true },
                ["slash_commands"] = new JsonArray([.. SlackRoutes.SlashCommands(routes).Select(command => (JsonNode)SlashCommand(command, requestUrl, routes))]),
            },
            ["oauth_config"] = new JsonObject
            {
                ["scopes"] = new JsonObject { ["bot"] = new JsonArray([.. SlackRoutes.BotScopes.Select(s => (JsonNode)s)]) },
            },
            ["settings"] = new JsonObject
            {
                ["event_subscriptions"] = new JsonObject
                {
                    ["request_url"] = requestUrl,
                    ["bot_events"] = new JsonArray([.. SlackRoutes.BotEvents.Select(e => (JsonNode)e)]),
                },
                ["interactivity"] = new JsonObject { ["is_enabled"] = true, ["request_url"] = requestUrl },
                ["org_deploy_enabled"] = false,
                ["socket_mode_enabled"] = false,
                ["token_rotation_enabled"] = false,
            },
        };
    }

    private static JsonObject SlashCommand(string command, string requestUrl, ChatRouteTable routes)
    {
        var route = command == SlackRoutes.SlashCommand ? null : routes.FindCommand(command[1..]);
        var entry = new JsonObject
        {
            ["command"] = command,
            ["url"] = requestUrl,
            ["description"] = route is null ? "Deploy modules, check deployments, billing and support" : route.Help?.Description ?? route.Name,
            ["should_escape"] = false,
        };
        var usage = route is null ? SlackRoutes.UsageHint(routes) : ArgumentsOf(route.Help?.Usage);
        if (usage.Length > 0) entry["usage_hint"] = usage;
        return entry;
    }

    /// <summary>The arguments part of a usage line: <c>deploy [module]</c> → <c>[module]</c>.</summary>
    private static string ArgumentsOf(string? usage) => usage?.Split(' ', 2) is [_, var arguments] ? arguments : "";
}
