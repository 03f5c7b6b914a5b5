using System.Text.Json.Nodes;
using PartnerBot.Api.Deployments;
using PartnerBot.Bot.Features.Deployments;
using PartnerBot.Cards.AdaptiveCards;
using PartnerBot.Cards.Model;
using ApiDeploymentView = PartnerBot.Api.Deployments.DeploymentView;

namespace PartnerBot.Tests.DeployJourney;

/// <summary>What the status card says for each state, and the times it takes from the deployment's history.</summary>
public sealed class DeploymentStatusViewTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 21, 0, 0, TimeSpan.Zero);

    private static ApiDeploymentView Deployment(DeploymentAction action, params (DeploymentState State, int Second, string? Message)[] history)
    {
        var changes = history.Select((h, i) => new StateChange(i + 1, h.State, T0.AddSeconds(h.Second), h.Message, "system")).ToList();
        var last = changes[^1];
        // UpdatedAt moves on with every write (log lines, outbox flags): the card must not take its times from it.
        return new ApiDeploymentView("dep-1", "partner-1", "Network", "platform", last.State, action, last.Message,
            new Dictionary<string, JsonNode?>(), [], new Dictionary<string, JsonNode?>(), changes, [], [], 10m,
            T0, T0.AddHours(5), null);
    }

    private static string CardText(ApiDeploymentView d) =>
        string.Join("\n", Strings(AdaptiveCardRenderer.Render(DeploymentCard.Build(DeploymentStatusView.From(d)), CardHost.WebChat)));

    private static IEnumerable<string> Strings(JsonNode? node) => node switch
    {
        JsonValue v when v.TryGetValue<string>(out var s) => [s],
        JsonObject o => o.SelectMany(p => Strings(p.Value)),
        JsonArray a => a.SelectMany(Strings),
        _ => [],
    };

    [Fact]
    public void Each_state_of_a_run_is_named_once_without_its_routine_message()
    {
        var queued = Deployment(DeploymentAction.Apply, (DeploymentState.Queued, 0, "Queued."));
        var text = CardText(queued);
        Assert.Contains("Network: Queued", text);
        Assert.DoesNotContain("Queued.", text);
        Assert.DoesNotContain("Last update", text);

        var working = Deployment(DeploymentAction.Apply, (DeploymentState.Queued, 0, "Queued."), (DeploymentState.Pending, 1, "Preparing the run."),
            (DeploymentState.Working, 80, "Deploying."));
        text = CardText(working);
        Assert.Contains("🔄 Network: Deploying… (1 min 20 s)", text);
        Assert.DoesNotContain("Deploying.", text.Replace("Deploying…", ""));
        Assert.Contains("2026-11-23 21:00:00 UTC", text);
        Assert.Contains("2026-11-23 21:01:20 UTC", text);

        var succeeded = Deployment(DeploymentAction.Apply, (DeploymentState.Queued, 0, "Queued."), (DeploymentState.Pending, 1, "Preparing the run."),
            (DeploymentState.Working, 2, "Deploying."), (DeploymentState.Success, 123, "Applied."));
        text = CardText(succeeded);
        Assert.Contains("✅ Network: Succeeded in 2 min 3 s", text);
        Assert.DoesNotContain("Applied.", text);
        Assert.Contains("Finished", text);
        Assert.Contains("2026-11-23 21:02:03 UTC", text);
        Assert.Equal("Network: Succeeded in 2 min 3 s", DeploymentCard.Build(DeploymentStatusView.From(succeeded)).Summary);
    }

    [Fact]
    public void A_message_that_tells_more_than_the_state_is_shown()
    {
        var failed = Deployment(DeploymentAction.Apply, (DeploymentState.Queued, 0, "Queued."), (DeploymentState.Working, 2, "Deploying."),
            (DeploymentState.Failure, 9, "terraform apply failed (exit code 1): quota exceeded"));
        var text = CardText(failed);
        Assert.Contains("❌ Network: Failed after 9 s", text);
        Assert.Contains("quota exceeded", text);

        var resumed = Deployment(DeploymentAction.Apply, (DeploymentState.Queued, 0, "Queued."), (DeploymentState.Working, 2, "Deploying."),
            (DeploymentState.Queued, 30, "Resuming after a service restart."));
        text = CardText(resumed);
        Assert.Contains("Network: Queued (30 s)", text);
        Assert.Contains("Resuming after a service restart.", text);
    }

    [Fact]
    public void An_update_is_timed_from_its_own_start_not_from_the_first_deploy()
    {
        var updated = Deployment(DeploymentAction.Update, (DeploymentState.Queued, 0, "Queued."), (DeploymentState.Working, 2, "Deploying."),
            (DeploymentState.Success, 60, "Applied."), (DeploymentState.Queued, 3600, "Update queued."), (DeploymentState.Working, 3605, "Updating."));
        Assert.Contains("Network: Updating… (5 s)", CardText(updated));
        var (started, asOf) = DeploymentStatusView.RunTimes(updated);
        Assert.Equal(T0.AddSeconds(3600), started);
        Assert.Equal(T0.AddSeconds(3605), asOf);

        var done = Deployment(DeploymentAction.Update, (DeploymentState.Queued, 0, null), (DeploymentState.Success, 60, "Applied."),
            (DeploymentState.Queued, 3600, "Update queued."), (DeploymentState.Working, 3605, "Updating."), (DeploymentState.Success, 3640, "Applied."));
        Assert.Contains("Network: Updated in 40 s", CardText(done));
    }
}
