using System.Globalization;
using System.Text.Json.Nodes;
using PartnerBot.Api.Modules;
using PartnerBot.Cards;
using PartnerBot.Cards.AdaptiveCards;
using PartnerBot.Cards.BlockKit;
using PartnerBot.Cards.Forms;
using PartnerBot.Cards.Model;
using PartnerBot.Cards.Text;
using static PartnerBot.Tests.Cards.CardTestSupport;

namespace PartnerBot.Tests.Cards;

/// <summary>Untrusted text (module authors, users) with markdown, HTML, huge lengths, RTL and emoji stays safe and valid.</summary>
public class BadInputTests
{
    private const string Family = "👨‍👩‍👧‍👦";
    private static readonly string Huge = string.Concat(Enumerable.Repeat("Lorem ipsum dolor sit amet ", 400)); // ~10,800 chars
    private const string Html = "<script>alert('x')</script><b>bold</b> & <img src=x onerror=y>";
    private const string Markdown = "**bold** _it_ [click](https://evil.example) `code` ~~s~~\n- item\n1. first\n# title";
    private const string Rtl = "שם המודול \u202Egnp.exe\u202C مرحبا";

    public static IEnumerable<object[]> Nasty() =>
    [
        [Huge], [Html], [Markdown], [Rtl], [string.Concat(Enumerable.Repeat(Family, 3000))], ["bad \uD800 surrogate \u0000\u0007 controls"], [""],
    ];

    [Fact]
    public void Trim_never_splits_an_emoji_and_marks_the_cut()
    {
        var text = "abc" + string.Concat(Enumerable.Repeat(Family, 10));
        for (var max = 2; max < 40; max++)
        {
            var trimmed = CardText.Trim(text, max);
            Assert.True(trimmed.Length <= max);
            Assert.EndsWith(CardText.Ellipsis, trimmed);
            var body = trimmed[..^1];
            var elements = StringInfo.GetTextElementEnumerator(body);
            while (elements.MoveNext()) Assert.True(elements.GetTextElement() is "a" or "b" or "c" or Family, $"split at {max}");
        }
        Assert.Equal("short", CardText.Trim("short", 10));
    }

    [Fact]
    public void Cleaning_removes_bidi_overrides_controls_and_unpaired_surrogates_but_keeps_rtl_text_and_emoji()
    {
        Assert.Equal("שם המודול gnp.exe مرحبا", CardText.Clean(Rtl));
        Assert.Equal("bad  surrogate  controls", CardText.Clean("bad \uD800 surrogate \u0000\u0007 controls"));
        Assert.Equal("ok 🚀", CardText.Clean("ok 🚀"));
        Assert.True(CardText.IsRightToLeft("שלום עולם"));
    }

    [Theory]
    [InlineData("snake_case and *stars*", "snake\\_case and \\*stars\\*")]
    [InlineData("a\n  - item", "a\n  \\- item")]
    [InlineData("+1 vote", "\\+1 vote")]
    [InlineData(" 12. twelve", " 12\\. twelve")]
    [InlineData("line\n3) third", "line\n3\\) third")]
    [InlineData("[link](x) ~strike~ `code` back\\slash", "\\[link\\](x) \\~strike\\~ \\`code\\` back\\\\slash")]
    [InlineData("2024 was a year", "2024 was a year")]
    [InlineData("version 1. two - three + four", "version 1. two - three + four")]
    public void Markdown_escaping_changes_only_what_has_a_meaning(string text, string escaped) =>
        Assert.Equal(escaped, CardText.EscapeMarkdown(text));

    [Theory]
    [InlineData("Network")]
    [InlineData("A managed PostgreSQL database with backups.\nRuns in one region.")]
    [InlineData("Grüße 🚀 مرحبا")]
    [InlineData("")]
    public void Text_with_nothing_to_escape_is_used_as_it_is(string text) =>
        Assert.Same(text, CardText.EscapeMarkdown(text));

    [Fact]
    public void Literal_text_shows_markdown_and_html_as_written()
    {
        var literal = CardText.Literal(Markdown, 500);
        Assert.Equal("\\*\\*bold\\*\\* \\_it\\_ \\[click\\](https://evil.example) \\`code\\` \\~\\~s\\~\\~\n\\- item\n1\\. first\n# title", literal);
        Assert.Equal("‹script›alert('x')‹/script›‹b›bold‹/b› & ‹img src=x onerror=y›", CardText.Literal(Html, 500));
        Assert.Equal("‹b› x &amp; y", SlackText.Literal("<b> x & y", 100));
        Assert.Equal("a &amp; b", SlackText.Literal("a & b", 100));
        Assert.Equal("my_\u200Bapp *\u200Bnot bold*\u200B", SlackText.Literal("my_app *not bold*", 100));
        // Escaped markdown from the neutral model reaches Slack as literal text, not formatting.
        Assert.Equal("*real* my_\u200Bapp", SlackText.FromMarkdown("**real** " + CardText.EscapeMarkdown("my_app"), 100));
    }

    [Theory]
    [MemberData(nameof(Nasty))]
    public void Messages_with_nasty_text_stay_valid_on_every_channel(string nasty)
    {
        var message = new UiMessage(nasty,
        [
            new UiHeading(nasty), new UiText(nasty), new UiText(UiMarkdown.Escape(nasty)), new UiBadge(nasty),
            new UiFactSet([new UiFact(nasty, nasty)]), new UiImage("https://example.org/i.png", nasty),
        ], [new UiAction(nasty, "x", new JsonObject { ["v"] = 1 })]);
        foreach (var host in new[] { CardHost.Teams, CardHost.WebChat })
        {
            var card = AdaptiveCardRenderer.Render(message, host);
            AssertValidCard(card);
            Assert.True(CardJson.Utf8Size(card) <= AdaptiveCardRenderer.MaxCardBytes, $"{CardJson.Utf8Size(card)} bytes");
            Assert.DoesNotContain("<script", CardJson.ToJson(card));
        }
        foreach (var slack in BlockKitRenderer.RenderMessages(message))
        {
            BlockKitRendererTests.AssertWithinLimits(BlockKitLimits.CheckMessage(slack.Blocks));
            Assert.DoesNotContain("<script", slack.Blocks.ToJsonString());
        }
    }

    [Theory]
    [MemberData(nameof(Nasty))]
    public void Forms_with_nasty_descriptions_defaults_and_options_stay_valid(string nasty)
    {
        var description = nasty + " {{UIMeta group=1 order=1 }}";
        var module = new TerraformModule("Nasty", true, [], ModuleMetadata.Empty,
        [
            SampleModules.Var("name", "string", description, nasty.Length > 2000 ? nasty[..2000] : nasty, group: 1, order: 1),
            SampleModules.Var("kind", "string", description, hasDefault: false, group: 1, order: 2,
                validations: new VariableValidation($"contains([\"a\", \"{nasty.Replace("\"", "").Replace("\\", "")[..Math.Min(nasty.Length, 200)].Replace("\"", "")}\"], var.kind)", nasty)),
            SampleModules.Var("flag", "bool", description, true, group: 1, order: 3),
            SampleModules.Var("secret", "string", description, hasDefault: false, sensitive: true, group: 1, order: 4),
        ]);
        var form = ProvisioningFormBuilder.Build(module, ProvisioningFormMode.Create);
        var errors = form.AllInputs.ToDictionary(i => i.Id, _ => nasty);
        foreach (var host in new[] { CardHost.Teams, CardHost.WebChat })
        {
            var card = AdaptiveCardRenderer.RenderFormStep(form, 0, new Dictionary<string, string?>(), errors, host);
            AssertValidCard(card);
            Assert.True(CardJson.Utf8Size(card) <= AdaptiveCardRenderer.MaxCardBytes, $"{CardJson.Utf8Size(card)} bytes");
        }
        var view = BlockKitRenderer.RenderModal(form, 0, new Dictionary<string, string?>(), errors);
        BlockKitRendererTests.AssertWithinLimits(BlockKitLimits.CheckView(view));
        BlockKitRendererTests.AssertWithinLimits(BlockKitLimits.CheckView(BlockKitRenderer.RenderModal(form, 0, new Dictionary<string, string?>(), new Dictionary<string, string>())));
    }

    [Fact]
    public void Huge_help_text_is_trimmed_with_an_ellipsis()
    {
        var module = new TerraformModule("Big", true, [], ModuleMetadata.Empty,
            [SampleModules.Var("name", "string", Huge + " {{UIMeta group=1 order=1 }}", "x", group: 1, order: 1)]);
        var form = ProvisioningFormBuilder.Build(module, ProvisioningFormMode.Create);
        var card = AdaptiveCardRenderer.RenderFormStep(form, 0, new Dictionary<string, string?>(), new Dictionary<string, string>(), CardHost.Teams);
        var help = AdaptiveCardFormTests.Descendants(card["body"]!.AsArray()).Single(n => ((string?)n["text"])?.StartsWith("Lorem") == true);
        Assert.EndsWith("…", (string?)help["text"]);
        Assert.True(((string?)help["text"])!.Length <= 700);
        var hint = (string?)BlockKitRenderer.RenderModal(form, 0, new Dictionary<string, string?>(), new Dictionary<string, string>())["blocks"]![1]!["hint"]!["text"];
        Assert.EndsWith("…", hint);
    }
}
