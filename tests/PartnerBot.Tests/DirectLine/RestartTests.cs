using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using PartnerBot.Bot.Conversations;
using PartnerBot.Bot.Dialogs;
using PartnerBot.Tests.Infrastructure;

namespace PartnerBot.Tests.DirectLine;

/// <summary>Dialog state and conversations live in SQLite: restarts and crashes lose nothing that was saved.</summary>
public sealed class RestartTests
{
    /// <summary>A two-question waterfall whose second step can be made to hang, standing in for a long turn.</summary>
    private static void AddSurvey(WebApplicationBuilder builder, SemaphoreSlim? hang)
    {
        builder.Services.AddSingleton(new ChatRoute("survey", "Survey", "survey"));
        builder.Services.AddSingleton<Dialog>(new WaterfallDialog("survey",
        [
            async (step, ct) =>
            {
                await step.Turn.SendTextAsync("Question one: your name?", ct);
                return WaterfallStepContext.Wait();
            },
            async (step, ct) =>
            {
                step.Values["name"] = step.Result?.DeepClone();
                if (hang is not null) await hang.WaitAsync(ct);
                await step.Turn.SendTextAsync($"Question two, {step.Result}: your team?", ct);
                return WaterfallStepContext.Wait();
            },
            async (step, ct) =>
            {
                await step.Turn.SendTextAsync($"Thanks {step.Values["name"]} of {step.Result}.", ct);
                return await step.EndAsync(null, ct);
            },
        ]));
    }

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
