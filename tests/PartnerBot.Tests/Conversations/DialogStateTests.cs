using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using PartnerBot.Bot.Conversations;
using PartnerBot.Bot.Dialogs;
using PartnerBot.Tests.Infrastructure;

namespace PartnerBot.Tests.Conversations;

/// <summary>Dialog state is typed: what is stored is the record's shape, and a stored state of an older shape is dropped, never a crash.</summary>
public sealed class DialogStateTests
{
    /// <summary>The deploy dialog as an earlier version stored it: phase strings and the form's keys at the top level.</summary>
    private static readonly JsonObject OlderDeployState = new()
    {
        ["phase"] = "form", ["module"] = "Network", ["formId"] = "provision:Network:create-1a2b3c4d", ["step"] = 0, ["values"] = new JsonObject(),
    };

    [Fact]
    public async Task A_deploy_form_stored_in_an_older_shape_is_dropped_and_the_user_gets_the_menu()
    {
        await using var host = await BotTestHost.StartAsync();
        var (chat, key, states) = await ConversationWithOlderFormAsync(host);

        await chat.SubmitAsync(new JsonObject { ["verb"] = "form.next", ["formId"] = "provision:Network:create-1a2b3c4d", ["step"] = 0 });
        await chat.WaitForTextAsync("That button belongs to a conversation that has ended");
        var (after, _) = await states.LoadAsync(key, CancellationToken.None);
        Assert.Empty(after.Stack);

        // The conversation goes on as usual.
        await chat.SendTextAsync("deploy");
        await chat.WaitForTextAsync("Platform modules");
    }

    [Fact]
    public async Task A_command_typed_over_a_form_of_an_older_shape_starts_its_own_dialog_afresh()
    {
        await using var host = await BotTestHost.StartAsync();
        var (chat, key, states) = await ConversationWithOlderFormAsync(host);

        await chat.SendTextAsync("deploy Network");
        await chat.WaitForCardAsync(c => DirectLineTestClient.AllText(c).Contains("Step 1 of", StringComparison.Ordinal));
        var (after, _) = await states.LoadAsync(key, CancellationToken.None);
        Assert.Equal("Form", (string?)Assert.Single(after.Stack).State["phase"]);
    }

    /// <summary>A Web Chat conversation whose stored stack holds the deploy form as an earlier version stored it.</summary>
    private static async Task<(DirectLineTestClient Chat, string Key, ConversationStateStore States)> ConversationWithOlderFormAsync(BotTestHost host)
    {
        var chat = await DirectLineTestClient.StartAsync(host.Client);
        await chat.SendTextAsync("menu");
        await chat.WaitForTextAsync("What would you like to do?");
        var key = "directline:" + chat.ConversationId;
        var states = host.Services.GetRequiredService<ConversationStateStore>();
        var (state, etag) = await states.LoadAsync(key, CancellationToken.None);
        state.Stack.Add(new DialogInstance { Id = "deploy", State = OlderDeployState.DeepClone().AsObject() });
        await states.SaveAsync(key, state, etag, CancellationToken.None);
        return (chat, key, states);
    }

    [Fact]
    public async Task A_readable_state_is_read_once_and_kept_for_the_turn_and_an_older_shape_is_not_readable()
    {
        await using var host = await BotTestHost.StartAsync();
        var deploy = host.Services.GetServices<Dialog>().Single(d => d.Id == "deploy");

        var current = new DialogInstance { Id = "deploy", State = new JsonObject { ["phase"] = "Form", ["module"] = "Network" } };
        Assert.True(deploy.CanRead(current));
        Assert.NotNull(current.Typed);

        var older = new DialogInstance { Id = "deploy", State = OlderDeployState.DeepClone().AsObject() };
        Assert.False(deploy.CanRead(older));
        Assert.True(deploy.CanRead(new DialogInstance { Id = "deploy" }));
    }

    [Fact]
    public async Task The_deploy_dialog_stores_its_typed_state_with_the_phase_by_name_and_no_secret_in_clear()
    {
        await using var host = await BotTestHost.StartAsync();
        var chat = await DirectLineTestClient.StartAsync(host.Client);
        await chat.SendTextAsync("deploy Network");
        await chat.WaitForCardAsync(c => DirectLineTestClient.AllText(c).Contains("Step 1 of", StringComparison.Ordinal));

        var (state, _) = await host.Services.GetRequiredService<ConversationStateStore>().LoadAsync("directline:" + chat.ConversationId, CancellationToken.None);
        var deploy = Assert.Single(state.Stack);
        Assert.Equal("deploy", deploy.Id);
        Assert.Equal("Form", (string?)deploy.State["phase"]);
        Assert.Equal("Network", (string?)deploy.State["module"]);
        Assert.StartsWith("provision:Network", (string?)deploy.State["form"]!["formId"]);
        Assert.Equal(0, (int?)deploy.State["form"]!["step"]);
    }
}
