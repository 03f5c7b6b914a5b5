using PartnerBot.Api.Identity;
using PartnerBot.Bot.Features.ApiKeys;
using PartnerBot.Cards;
using PartnerBot.Cards.AdaptiveCards;
using PartnerBot.Cards.BlockKit;
using PartnerBot.Cards.Model;
using PartnerBot.Tests.Infrastructure;

namespace PartnerBot.Tests.ApiKeys;

/// <summary>How the API key messages render on each kind of channel, and what is left of a secret once redacted.</summary>
public sealed class ApiKeyCardTests
{
    private const string Key = "pbk_AAAABBBBCCCCDDDDEEEEFFFFGGGGHHHHIIIIJJJ_-9";

    private static CreatedApiKey Created() => new(Key, new ApiKeyRecord("apikey", "0123456789ab", "u_ann", [ApiRoles.Partner], "CI *pipeline*", null,
        new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero)));

    [Theory]
    [InlineData(CardHost.WebChat)]
    [InlineData(CardHost.Teams)]
    public void Adaptive_cards_mask_the_key_with_a_hidden_copyable_twin_and_no_submitting_buttons(CardHost host)
    {
        var card = AdaptiveCardRenderer.Render(ApiKeyCards.Created(Created(), "https://bot.example.com"), host);

        var inputs = FormDriver.Inputs(card).ToList();
        Assert.Equal(2, inputs.Count);
        Assert.Equal("Password", (string?)inputs[0]["style"]);
        Assert.Equal(Key, (string?)inputs[0]["value"]);
        Assert.Equal(Key, (string?)inputs[1]["value"]);
        Assert.False((bool)inputs[1]["isVisible"]!);
        var toggle = Assert.Single(DirectLineTestClient.Actions(card));
        Assert.Equal("Action.ToggleVisibility", (string?)toggle["type"]);
        Assert.Equal([(string?)inputs[0]["id"], (string?)inputs[1]["id"]], toggle["targetElements"]!.AsArray().Select(t => (string?)t));
        Assert.Contains("CI \\*pipeline\\*", DirectLineTestClient.AllText(card));
        Assert.DoesNotContain(Key, (string?)card["fallbackText"] ?? "");
    }

    [Fact]
    public void Slack_shows_the_key_as_code_with_no_buttons()
    {
        var message = BlockKitRenderer.RenderMessage(ApiKeyCards.Created(Created(), "https://bot.example.com"));

        Assert.Contains($"`{Key}`", DirectLineTestClient.AllText(message.Blocks));
        Assert.DoesNotContain(message.Blocks, b => (string?)b!["type"] == "actions");
        Assert.DoesNotContain(Key, message.Text);
        Assert.Empty(BlockKitLimits.CheckMessage(message.Blocks));
    }

    [Fact]
    public void A_redacted_message_keeps_the_note_and_loses_the_key()
    {
        var message = ApiKeyCards.Created(Created(), "https://bot.example.com");
        Assert.True(UiSecrets.Contains(message));

        var redacted = UiSecrets.Redacted(message);

        Assert.False(UiSecrets.Contains(redacted));
        var json = AdaptiveCardRenderer.Render(redacted, CardHost.WebChat).ToJsonString();
        Assert.DoesNotContain(Key, json);
        Assert.Contains("was shown here once and is not kept", json);
        Assert.Same(UiSecrets.Redacted(redacted), redacted);
    }

    [Fact]
    public void A_full_key_list_fits_each_channel()
    {
        var keys = Enumerable.Range(0, ApiKeyStore.MaxKeysPerUser)
            .Select(i => new ApiKeySummary($"{i:x12}", new string('n', ApiKeyStore.MaxNameLength), "pbk_…abcd", [ApiRoles.Partner],
                DateTimeOffset.UnixEpoch, i % 2 == 0 ? null : DateTimeOffset.UnixEpoch))
            .ToList();
        var list = ApiKeyCards.List(keys);

        var card = AdaptiveCardRenderer.Render(list, CardHost.Teams);
        Assert.Equal(ApiKeyStore.MaxKeysPerUser, DirectLineTestClient.Actions(card).Count(a => (string?)a["verb"] == ApiKeyRoutes.Revoke));
        Assert.Contains("maximum of 20 keys", card.ToJsonString());
        Assert.True(CardJson.Utf8Size(card) < 28_000);
        var slack = BlockKitRenderer.RenderMessages(list);
        Assert.All(slack, m => Assert.Empty(BlockKitLimits.CheckMessage(m.Blocks)));
        Assert.Equal(ApiKeyStore.MaxKeysPerUser, slack.Sum(m => m.Blocks.Count(b => b!.ToJsonString().Contains(ApiKeyRoutes.Revoke))));
    }

    [Theory]
    [InlineData("key", "", "")]
    [InlineData("keys", "", "")]
    [InlineData("", "", "")]
    [InlineData("key create CI pipeline", "create", "CI pipeline")]
    [InlineData("create laptop", "create", "laptop")]
    [InlineData("Keys REVOKE 0123456789ab", "revoke", "0123456789ab")]
    [InlineData("list", "list", "")]
    public void Typed_arguments_split_into_a_subcommand_and_the_rest(string arguments, string command, string rest)
    {
        Assert.Equal((command, rest), ApiKeyDialog.Subcommand(arguments));
    }
}
