using System.Globalization;
using System.Text.Json.Nodes;
using PartnerBot.Api.Identity;
using PartnerBot.Cards.Model;

namespace PartnerBot.Bot.Features.ApiKeys;

/// <summary>The messages of the API keys feature.</summary>
public static class ApiKeyCards
{
    public const string NameInputId = "keyName";
    public const string SecretId = "apiKey";
    public const string KeyIdKey = "keyId";

    private const string WhatKeysDo =
        "A program calling the PartnerBot REST API sends one of your keys in the `X-Api-Key` header and acts as you: " +
        "it sees and manages your own deployments, modules and credits, nothing of anyone else's.";

    /// <param name="notice">A line shown above the list (what just happened), or null.</param>
    public static UiMessage List(IReadOnlyList<ApiKeySummary> keys, string? notice = null)
    {
        var body = new List<UiElement> { new UiHeading("Your API keys") };
        if (notice is not null) body.Add(new UiText(notice, UiTextTone.Good));
        body.Add(new UiText(WhatKeysDo, UiTextTone.Subtle));
        if (keys.Count == 0) body.Add(new UiText("You have no API keys yet."));
        foreach (var key in keys)
            body.Add(new UiContainer(
                [
                    new UiText(Describe(key)),
                    new UiActionRow([new UiAction("Revoke", ApiKeyRoutes.Revoke, KeyData(key.KeyId), UiActionStyle.Destructive)]),
                ], Separator: true));
        if (keys.Count < ApiKeyStore.MaxKeysPerUser)
            body.Add(new UiTextInput(NameInputId, "Name for a new key (optional)",
                new UiAction("Create a key", ApiKeyRoutes.Create, Style: UiActionStyle.Primary), Placeholder: "e.g. CI pipeline"));
        else
            body.Add(new UiText($"You hold the maximum of {ApiKeyStore.MaxKeysPerUser} keys: revoke one to create another.", UiTextTone.Warning));
        var summary = keys.Count == 0 ? "You have no API keys yet." : $"You have {keys.Count} API key{(keys.Count == 1 ? "" : "s")}.";
        return new UiMessage(summary, body, [new UiAction("Main menu", CardVerbs.Menu)]);
    }

    /// <summary>The new key, shown once. It carries no buttons, so no channel ever submits the key back.</summary>
    public static UiMessage Created(CreatedApiKey created, string apiBaseUrl)
    {
        var name = created.Record.Name is null ? "" : $" **{UiMarkdown.Escape(created.Record.Name, ApiKeyStore.MaxNameLength)}**";
        return new UiMessage(
            $"Your new API key {created.Hint}: copy it now, it is shown only once.",
            [
                new UiHeading("🔑 Your new API key"),
                new UiText($"Copy your new key{name} now: it is shown **only this once** and cannot be recovered (only a hash of it is kept).",
                    UiTextTone.Warning),
                new UiSecretValue(SecretId, $"API key {created.Hint}", created.Key,
                    $"The API key {created.Hint} was shown here once and is not kept. If you did not copy it, revoke it under API keys and create another."),
                new UiText($"Try it: `curl -H \"X-Api-Key: YOUR-KEY\" {apiBaseUrl.TrimEnd('/')}/api/deployments`", UiTextTone.Subtle),
            ],
            []);
    }

    public static UiMessage AfterCreated() =>
        UiMessage.Text("Keep the key in your program's secret settings. Type **api keys** to see your keys or revoke one.");

    public static UiMessage ConfirmRevoke(ApiKeySummary key) => ConfirmationCard.Build(
        "Revoke this API key?",
        $"{Describe(key)}\n\nPrograms using it are refused from their next request on. This cannot be undone.",
        new UiAction("Revoke", ApiKeyRoutes.RevokeConfirmed, KeyData(key.KeyId), UiActionStyle.Destructive),
        new UiAction("Keep it", ApiKeyRoutes.ApiKeys));

    public static string Revoked(ApiKeySummary key) => $"Revoked {Title(key)}: it no longer works.";

    public static UiMessage NotYours(string reference) => UiMessage.Text(
        $"You have no API key \"{UiMarkdown.Escape(reference, 80)}\" (it may be revoked already). Type **api keys** to see yours.");

    public static UiMessage NotHere() => UiMessage.Text(
        "I show a new API key only where nobody else can see it: open a one-to-one chat with me and type **api key create** there.");

    public static UiMessage LimitReached() => UiMessage.Text(
        $"You already hold {ApiKeyStore.MaxKeysPerUser} API keys, the most one person can have. Revoke one under **api keys**, then create the new one.");

    public static UiMessage Usage(string? problem)
    {
        var body = new List<UiElement>();
        if (problem is not null) body.Add(new UiText(problem, UiTextTone.Warning));
        body.Add(new UiText("- **api key** — your keys, with buttons to create and revoke\n" +
                            "- **api key create** _name_ — a new key, shown once\n" +
                            "- **api key revoke** _key id or name_ — stop a key from working"));
        return new UiMessage("API key commands: api key, api key create NAME, api key revoke ID.", body,
            [new UiAction("API keys", ApiKeyRoutes.ApiKeys)]);
    }

    /// <summary>One line: name, hint, created, last used.</summary>
    public static string Describe(ApiKeySummary key)
    {
        var used = key.LastUsedAt is { } at ? Format(at) : "never";
        return $"{Title(key)} · created {Format(key.CreatedAt)} · last used {used} · id `{key.KeyId}`";
    }

    private static string Title(ApiKeySummary key)
    {
        var name = key.Name is null ? "Unnamed key" : UiMarkdown.Escape(key.Name, ApiKeyStore.MaxNameLength);
        return key.Hint is null ? $"**{name}**" : $"**{name}** (`{key.Hint}`)";
    }

    private static JsonObject KeyData(string keyId) => new() { [KeyIdKey] = keyId };

    private static string Format(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
}
