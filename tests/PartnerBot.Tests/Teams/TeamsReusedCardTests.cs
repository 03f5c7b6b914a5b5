using System.Text.Json;
using System.Text.Json.Nodes;
using PartnerBot.Bot.Channels.BotFramework;
using PartnerBot.Bot.Channels.Teams;
using PartnerBot.Bot.Conversations;
using PartnerBot.Cards.Model;

namespace PartnerBot.Tests.Teams;

/// <summary>
/// The main menu is the same message on most turns: Teams renders it once and shares the JSON, while every send still
/// gets a card of its own that it may change (an Action.Execute answer adds its refresh) without touching the next one.
/// </summary>
public sealed class TeamsReusedCardTests
{
    private sealed class CountingRenderer : ITeamsCardRenderer
    {
        private readonly AdaptiveCardsTeamsRenderer _inner = new();
        private int _renders;
        public int Renders => _renders;

        public JsonObject Render(UiMessage message)
        {
            Interlocked.Increment(ref _renders);
            return _inner.Render(message);
        }
    }

    private static readonly ConversationReference Reference = new()
    {
        Bot = new ChannelAccount { Id = "28:bot", Name = "PartnerBot" },
        User = new ChannelAccount { Id = "29:user", Name = "Ada" },
        Conversation = new ConversationAccount { Id = "a:conversation" },
        ChannelId = "msteams",
        ServiceUrl = "https://smba.trafficmanager.net/amer/",
    };

    private static readonly UiAction[] MenuItems = [new("Deploy", "deploy", Style: UiActionStyle.Primary), new("Billing", "billing"), new("Help", "help")];

    private static string Wire(Activity activity) => JsonSerializer.Serialize(activity, BotFrameworkJsonContext.Default.Activity);

    [Fact]
    public void A_reused_message_is_rendered_once_and_sent_as_the_same_card_a_fresh_render_gives()
    {
        var renderer = new CountingRenderer();
        var factory = new TeamsMessageFactory(renderer);
        var reused = MainMenuCard.Build(MenuItems) with { Reused = true };

        var first = Wire(factory.Create(reused, Reference));
        var second = Wire(factory.Create(reused, Reference));
        var fresh = Wire(new TeamsMessageFactory(new AdaptiveCardsTeamsRenderer()).Create(MainMenuCard.Build(MenuItems), Reference));

        Assert.Equal(1, renderer.Renders);
        Assert.Equal(fresh, first);
        Assert.Equal(fresh, second);
        Assert.Contains("\"verb\":\"deploy\"", first);
    }

    [Fact]
    public void A_message_that_is_not_reused_is_rendered_on_every_send()
    {
        var renderer = new CountingRenderer();
        var factory = new TeamsMessageFactory(renderer);
        var message = MainMenuCard.Build(MenuItems, "Hi Ada!");

        factory.Create(message, Reference);
        factory.Create(message, Reference);

        Assert.Equal(2, renderer.Renders);
    }

    [Fact]
    public void Changing_or_attaching_one_sends_card_leaves_the_next_card_as_rendered()
    {
        var factory = new TeamsMessageFactory(new AdaptiveCardsTeamsRenderer());
        var reused = MainMenuCard.Build(MenuItems) with { Reused = true };
        var expected = factory.RenderCard(reused).ToJsonString();

        var changed = factory.RenderCard(reused);
        changed["refresh"] = new JsonObject { ["userIds"] = new JsonArray("29:user") };
        changed["body"]!.AsArray().Clear();
        var answer = new JsonObject { ["value"] = factory.RenderCard(reused) };

        var next = factory.RenderCard(reused);
        Assert.Equal(expected, next.ToJsonString());
        Assert.NotNull(answer["value"]!.Parent);
        Assert.Null(next.Parent);
        Assert.Contains("\"refresh\"", changed.ToJsonString());
    }

    [Fact]
    public async Task Sends_on_many_threads_at_once_all_write_the_same_card()
    {
        var factory = new TeamsMessageFactory(new AdaptiveCardsTeamsRenderer());
        var reused = MainMenuCard.Build(MenuItems) with { Reused = true };
        var expected = Wire(factory.Create(reused, Reference));

        var written = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
            Enumerable.Range(0, 500).Select(_ => Wire(factory.Create(reused, Reference))).Distinct().ToArray())));

        Assert.All(written, perThread => Assert.Equal([expected], perThread));
    }

    [Fact]
    public void The_default_menu_is_one_reused_message_and_a_greeting_makes_a_new_one()
    {
        var menu = new MainMenu(new ChatRouteTable(ChatFeatures.Discover()));

        Assert.Same(menu.Build(), menu.Build());
        Assert.True(menu.Build().Reused);
        Assert.False(menu.Build("Hi Ada!").Reused);
        Assert.Equal(menu.Build().Body.Count, menu.Build("Hi Ada!").Body.Count);
    }
}
