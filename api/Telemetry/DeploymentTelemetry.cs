using System.Diagnostics;
using PartnerBot.Api.Deployments;

namespace PartnerBot.Api.Telemetry;

/// <summary>The deployment side of <see cref="PartnerBotTelemetry"/>: state changes written, runs and their steps.</summary>
public static class DeploymentTelemetry
{
    /// <summary>Counts each state change <paramref name="written"/> added after <paramref name="sequenceBefore"/>.</summary>
    public static void Written(Deployment written, int sequenceBefore)
    {
        foreach (var change in written.History)
        {
            if (change.Sequence <= sequenceBefore) continue;
            PartnerBotTelemetry.Deployments.Add(1, new KeyValuePair<string, object?>("status", change.State.ToString()));
            Activity.Current?.AddEvent(new ActivityEvent("deployment.state", tags: new ActivityTagsCollection
            {
                [PartnerBotTelemetry.Tags.DeploymentId] = written.Id,
                [PartnerBotTelemetry.Tags.DeploymentState] = change.State.ToString(),
            }));
        }
    }

    /// <summary>A span for one claimed run, continuing the trace of the turn (or API call) that made the deployment runnable.</summary>
    public static Activity? StartRun(Deployment deployment)
    {
        var activity = TraceContext.StartFrom("deployment.run", deployment.TraceParent);
        Describe(activity, deployment);
        activity?.SetTag(PartnerBotTelemetry.Tags.DeploymentStep, Step(deployment));
        return activity;
    }

    public static void Describe(Activity? activity, Deployment deployment)
    {
        if (activity is null) return;
        activity.SetTag(PartnerBotTelemetry.Tags.DeploymentId, deployment.Id);
        activity.SetTag(PartnerBotTelemetry.Tags.DeploymentAction, Action(deployment.Action));
        activity.SetTag(PartnerBotTelemetry.Tags.Module, deployment.Module.Name);
    }

    public static void RunEnded(Deployment deployment, TimeSpan elapsed) =>
        PartnerBotTelemetry.DeploymentDuration.Record(elapsed.TotalSeconds,
            new("action", Action(deployment.Action)), new("step", Step(deployment)));

    /// <summary>A span for one CLI command of a run (<c>terraform init</c>, <c>plan</c>, <c>apply</c>, ...).</summary>
    public static Activity? StartCommand(string program, string command)
    {
        var activity = PartnerBotTelemetry.Source.StartActivity($"{program} {command}");
        activity?.SetTag("process.executable.name", program);
        activity?.SetTag("partnerbot.terraform.command", command);
        return activity;
    }

    private static string Action(DeploymentAction action) => action.ToString().ToLowerInvariant();

    private static string Step(Deployment deployment) => deployment.Step.ToString().ToLowerInvariant();
}
