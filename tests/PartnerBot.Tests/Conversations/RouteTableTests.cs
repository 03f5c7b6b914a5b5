using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using PartnerBot.Bot.Channels.Slack;
using PartnerBot.Bot.Channels.Teams;
using PartnerBot.Bot.Conversations;
using PartnerBot.Bot.Dialogs;
using PartnerBot.Tests.Infrastructure;

namespace PartnerBot.Tests.Conversations;

/// <summary>
/// The route table is the one source of the help text, the menu, the Slack usage hint and the Teams command list;
/// a feature added with one registration class shows up in all of them and is dispatched to its handler.
/// </summary>
public sealed class RouteTableTests
{
    /// <summary>A feature as another team would add it: one class with its routes, one small dialog.</summary>
    private sealed class PingFeature : IChatFeature
    {
        public int Order => 100;

        public void AddServices(IServiceCollection services, IConfiguration configuration) => services.AddSingleton<Dialog, PingDialog>();

        public void MapRoutes(ChatRouteBuilder routes) =>
            routes.Dialog<PingDialog>(PingDialog.DialogId)
                .Command("ping", d => d.PingAsync, new("ping [words]", "Answers pong with your words"), ["marco"], suggested: true)
                .Verb("ping.again", d => d.AgainAsync);
    }

    private sealed class PingDialog() : Dialog(DialogId)
    {
        public const string DialogId = "ping";

        public async Task<DialogTurnResult> PingAsync(ChatRouteContext route, CancellationToken ct)
        {
            await route.Turn.SendAsync(new PartnerBot.Cards.Model.UiMessage("pong",
                [new PartnerBot.Cards.Model.UiText($"pong ({route.Name}) {route.Arguments}")],
                [new PartnerBot.Cards.Model.UiAction("Again", "ping.again", new JsonObject { ["n"] = 1 })]), ct);
            return DialogTurnResult.Waiting;
        }

        public async Task<DialogTurnResult> AgainAsync(ChatRouteContext route, CancellationToken ct)
        {
            await route.Turn.SendTextAsync($"pong again, n={route.Data["n"]}, continued={!route.Started}", ct);
            return await route.Dialog.EndDialogAsync(ct);
        }
    }

    private sealed class DuplicateDeploy : IChatFeature
    {
        public int Order => 100;
        public void AddServices(IServiceCollection services, IConfiguration configuration) { }
        public void MapRoutes(ChatRouteBuilder routes) =>
            routes.Handler<object>().Command("Deploy", _ => (_, _) => Task.FromResult(DialogTurnResult.Waiting), new("deploy", "again"));
    }

    private static ChatRouteTable WithPing() => new([.. ChatFeatures.Discover(), new PingFeature()]);

    [Fact]
    public void The_product_features_are_found_and_register_every_menu_area()
    {
        var table = ChatRouteTable.Product();

        Assert.Equal(["deploy", "deployments", "publish", "github", "billing", "guides", "support", "theme"], table.Menu.Select(m => m.Verb));
        foreach (var word in new[] { "deploy", "deployments", "publish", "github", "sync", "billing", "guides", "support", "tickets", "admin",
                     "theme", "help", "menu", "cancel", "credits", "contact", "stop" })
            Assert.NotNull(table.FindCommand(word));
        // Each menu button's verb is served by the same handler as the typed command.
        Assert.All(table.Menu, m => Assert.Equal(table.FindCommand(m.Verb)!.DialogId, table.FindVerb(m.Verb)!.DialogId));
    }

    [Fact]
    public void The_help_text_lists_admin_commands_for_admins_only()
    {
        var table = ChatRouteTable.Product();
        PartnerBot.Api.Identity.PlatformUser User(params string[] roles) => new("u_1", "Ana", null, roles, [], "light", DateTimeOffset.UnixEpoch);

        Assert.DoesNotContain(table.CommandsFor(User("user", "partner")), c => c.Name == "admin");
        Assert.Contains(table.CommandsFor(User("user", "admin")), c => c.Name == "admin");
        Assert.Contains(table.CommandsFor(User("user")), c => c.Name == "help");
        Assert.DoesNotContain(table.CommandsFor(User("user")), c => c.Name == "deploy"); // needs the partner role
    }

    [Fact]
    public void Two_features_claiming_one_command_are_refused()
    {
        var e = Assert.Throws<InvalidOperationException>(() => new ChatRouteTable([.. ChatFeatures.Discover(), new DuplicateDeploy()]));
        Assert.Contains("'deploy'", e.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(nameof(DuplicateDeploy), e.Message);
    }

    [Fact]
    public void Slack_usage_hint_and_manifest_and_the_Teams_command_list_follow_the_table()
    {
        var table = WithPing();

        var hint = SlackRoutes.UsageHint(table);
        Assert.Equal("[" + string.Join("|", table.Commands.Select(c => c.Name)) + "] [args]", hint);
        Assert.Contains("|ping]", hint);
        Assert.Equal(hint, (string?)SlackManifest.Build("https://bot.example.com", table)["features"]!["slash_commands"]![0]!["usage_hint"]);
        Assert.True(SlackRoutes.IsSubcommand(table, "marco"));
        Assert.False(SlackRoutes.IsSubcommand(ChatRouteTable.Product(), "ping"));

        var teams = TeamsAppPackage.BuildManifest("00000000-0000-0000-0000-000000000001", "https://bot.example.com", table);
        var commands = teams["bots"]![0]!["commandLists"]![0]!["commands"]!.AsArray();
        Assert.Contains(commands, c => (string?)c!["title"] == "ping" && (string?)c["description"] == "Answers pong with your words");
        Assert.True(commands.Count <= ChatRouteTable.SuggestedLimit);
    }

    [Fact]
    public async Task A_feature_registered_in_the_host_is_in_the_help_text_and_its_command_and_verb_reach_its_handlers()
    {
        await using var host = await BotTestHost.StartAsync(configure: b => b.Services.AddChatFeature(new PingFeature(), b.Configuration));
        var chat = await DirectLineTestClient.StartAsync(host.Client);

        await chat.SendTextAsync("help");
        var help = DirectLineTestClient.AllText(await chat.WaitForTextAsync("Commands"));
        Assert.Contains("**ping [words]**: Answers pong with your words", help);
        var table = host.Services.GetRequiredService<ChatRouteTable>();
        foreach (var command in table.Commands.Where(c => c.Audience is null))
            Assert.Contains($"**{command.Help!.Usage}**: {command.Help.Description}", help);
        Assert.Contains("**admin grant", help); // Web Chat users are admins in Development

        await chat.SendTextAsync("Marco polo");
        var pong = await chat.WaitForTextAsync("pong (marco) polo");
        var again = DirectLineTestClient.Actions(DirectLineTestClient.Card(pong)).Single(a => (string?)a["title"] == "Again");
        await chat.SubmitAsync(again["data"]!.DeepClone().AsObject());
        await chat.WaitForTextAsync("pong again, n=1, continued=True");
    }

    [Fact]
    public async Task Every_route_of_the_host_has_its_dialog_or_handler_registered()
    {
        await using var host = await BotTestHost.StartAsync();
        var table = host.Services.GetRequiredService<ChatRouteTable>();
        var dialogs = host.Services.GetServices<Dialog>().ToDictionary(d => d.Id);

        Assert.All(table.Routes, route =>
        {
            if (route.DialogId is { } id)
                Assert.True(dialogs.TryGetValue(id, out var dialog) && route.HandlerType.IsInstanceOfType(dialog), $"{route.Name}: dialog {id}");
            else
                Assert.NotNull(host.Services.GetService(route.HandlerType));
        });
    }
}
