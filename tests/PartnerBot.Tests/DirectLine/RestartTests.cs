using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using PartnerBot.Bot.Conversations;
using PartnerBot.Bot.Dialogs;
using PartnerBot.Tests.Infrastructure;

namespace PartnerBot.Tests.DirectLine;

/// <summary>Dialog state and conversations live in SQLite: restarts and crashes lose nothing that was saved.</summary>
public sealed partial class RestartTests
{
    /// <summary>A two-question survey whose second question can be made to hang, standing in for a long turn.</summary>
    private static void AddSurvey(WebApplicationBuilder builder, SemaphoreSlim? hang)
    {
        builder.Services.AddChatFeature(new SurveyFeature(), builder.Configuration);
        builder.Services.AddSingleton<Dialog>(new SurveyDialog(hang));
    }

    private sealed class SurveyFeature : IChatFeature
    {
        public int Order => 100;
        public void AddServices(IServiceCollection services, IConfiguration configuration) { }
        public void MapRoutes(ChatRouteBuilder routes) =>
            routes.Dialog<SurveyDialog>("survey").Command("survey", d => d.StartAsync, new("survey", "Answer two questions"));
    }

    private enum SurveyPhase { Name, Team }

    private sealed record SurveyState
    {
        public SurveyPhase Phase { get; set; }
        public string? Name { get; set; }
    }

    private sealed class SurveyDialog(SemaphoreSlim? hang) : Dialog<SurveyState>("survey", SurveyJson.Default.SurveyState)
    {
        public async Task<DialogTurnResult> StartAsync(ChatRouteContext route, CancellationToken ct)
        {
            await route.Turn.SendTextAsync("Question one: your name?", ct);
            return DialogTurnResult.Waiting;
        }

        public override async Task<DialogTurnResult> ContinueAsync(DialogContext dc, CancellationToken ct)
        {
            var state = State(dc);
            if (state.Phase == SurveyPhase.Name)
            {
                (state.Phase, state.Name) = (SurveyPhase.Team, dc.Turn.Text);
                if (hang is not null) await hang.WaitAsync(ct);
                await dc.Turn.SendTextAsync($"Question two, {dc.Turn.Text}: your team?", ct);
                return DialogTurnResult.Waiting;
            }
            await dc.Turn.SendTextAsync($"Thanks {state.Name} of {dc.Turn.Text}.", ct);
            return await dc.EndDialogAsync(ct);
        }
    }

    [JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
    [JsonSerializable(typeof(SurveyState))]
    private sealed partial class SurveyJson : JsonSerializerContext;

    [Fact]
    public async Task A_conversation_continues_where_it_was_after_a_restart()
    {
        var dataDirectory = Directory.CreateTempSubdirectory("partnerbot-restart-").FullName;
        DirectLineTestClient chat;
        await using (var first = await BotTestHost.StartAsync(dataDirectory: dataDirectory, configure: b => AddSurvey(b, null)))
        {
            chat = await DirectLineTestClient.StartAsync(first.Client);
            await chat.SendTextAsync("survey");
            await chat.WaitForTextAsync("Question one");
            await chat.SendTextAsync("Ada");
            await chat.WaitForTextAsync("Question two, Ada");
            // The answer is sent before the turn saves the conversation: the restart comes after the save.
            await first.Services.GetRequiredService<TurnDispatcher>().WhenIdleAsync();
        }

        await using var second = await BotTestHost.StartAsync(dataDirectory: dataDirectory, configure: b => AddSurvey(b, null));
        var resumed = chat.Reconnect(second.Client);
        await resumed.PollAsync();
        Assert.Contains(resumed.Received, a => DirectLineTestClient.AllText(a).Contains("Question two, Ada"));
        await resumed.SendTextAsync("Platform");
        await resumed.WaitForTextAsync("Thanks Ada of Platform.");
    }

    [Fact]
    public async Task Killing_the_host_in_the_middle_of_a_turn_keeps_the_last_saved_dialog_state()
    {
        var dataDirectory = Directory.CreateTempSubdirectory("partnerbot-kill-").FullName;
        var hang = new SemaphoreSlim(0);
        DirectLineTestClient chat;
        await using (var first = await BotTestHost.StartAsync(dataDirectory: dataDirectory, configure: b => AddSurvey(b, hang)))
        {
            chat = await DirectLineTestClient.StartAsync(first.Client);
            await chat.SendTextAsync("survey");
            await chat.WaitForTextAsync("Question one");
            await chat.SendTextAsync("Grace");
            // The second step is now stuck inside the turn; the host goes away underneath it.
            await Task.Delay(300);
        }

        await using var second = await BotTestHost.StartAsync(dataDirectory: dataDirectory, configure: b => AddSurvey(b, null));
        var resumed = chat.Reconnect(second.Client);
        await resumed.PollAsync();
        Assert.DoesNotContain(resumed.Received, a => DirectLineTestClient.AllText(a).Contains("Question two"));

        // The saved stack is still at question one, so the answer is simply given again.
        await resumed.SendTextAsync("Grace");
        await resumed.WaitForTextAsync("Question two, Grace");
        await resumed.SendTextAsync("Research");
        await resumed.WaitForTextAsync("Thanks Grace of Research.");
    }
}
