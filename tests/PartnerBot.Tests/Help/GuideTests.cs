using System.Text.Json.Nodes;
using PartnerBot.Bot.Features.Help;
using PartnerBot.Cards.AdaptiveCards;
using PartnerBot.Cards.BlockKit;
using PartnerBot.Tests.Cards;
using PartnerBot.Tests.Infrastructure;

namespace PartnerBot.Tests.Help;

public sealed class GuideTests
{
    private static readonly GuideLibrary Library = new();

    [Fact]
    public void The_four_guides_ship_with_the_bot()
    {
        Assert.Equal(["user-guide", "partner-guide", "agent-guide", "admin-guide"], Library.Guides.Select(g => g.Id));
        Assert.All(Library.Guides, g => Assert.True(g.Sections.Count >= 2, g.Id));
    }

    [Theory]
    [InlineData("theme", "user-guide")]
    [InlineData("dependencies", "partner-guide")]
    [InlineData("behalf", "agent-guide")]
    [InlineData("SignupAward", "admin-guide")]
    public void Search_finds_a_term_from_each_guide(string term, string guide)
    {
        Assert.Contains(Library.Search(term), hit => hit.Guide.Id == guide);
    }

    [Fact]
    public void Search_needs_every_word_and_ranks_titles_first()
    {
        var hits = Library.Search("deploying module");
        Assert.NotEmpty(hits);
        Assert.Equal("Deploying a module", hits[0].Guide.Sections[hits[0].SectionIndex].Title);
        Assert.Empty(Library.Search("zebra"));
    }

    [Fact]
    public void Every_guide_section_renders_within_card_limits_in_every_channel()
    {
        foreach (var guide in Library.Guides)
            for (var i = 0; i < guide.Sections.Count; i++)
            {
                var message = HelpCards.Section(guide, i);
                foreach (var host in new[] { CardHost.WebChat, CardHost.Teams })
                {
                    var card = AdaptiveCardRenderer.Render(message, host);
                    CardTestSupport.AssertValidCard(card);
                    Assert.Contains(guide.Sections[i].Title, card.ToJsonString());
                }
                foreach (var slack in BlockKitRenderer.RenderMessages(message))
                    Assert.Empty(BlockKitLimits.CheckMessage(slack.Blocks));
            }
    }

    [Fact]
    public async Task Typed_search_and_navigation_work_over_direct_line()
    {
        await using var host = await BotTestHost.StartAsync();
        var chat = await DirectLineTestClient.StartAsync(host.Client);
        await chat.SendTextAsync("guides credits");
        var results = await chat.WaitForCardAsync();
        Assert.Contains("Guides matching", DirectLineTestClient.AllText(results));
        var read = DirectLineTestClient.Actions(results).First(a => (string?)a["title"] == "Read");
        await chat.SubmitAsync(read["data"]!.DeepClone().AsObject());
        var section = await chat.WaitForCardAsync();
        Assert.Contains("Section ", DirectLineTestClient.AllText(section));
        Assert.Contains(DirectLineTestClient.Actions(section), a => (string?)a["title"] == "All guides");
    }
}
