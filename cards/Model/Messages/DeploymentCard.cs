using System.Globalization;
using System.Text;

namespace PartnerBot.Cards.Model;

public enum DeploymentViewStatus { Queued, Running, Succeeded, Failed, Cancelled }

/// <summary>One Terraform output; sensitive ones are never shown.</summary>
public sealed record DeploymentOutputView(string Name, string Value, bool Sensitive = false);

/// <summary>
/// What the status card shows of one deployment (built by the caller from its deployment record). The times are the
/// deployment's own: <paramref name="StartedAt"/> when its current run began, <paramref name="AsOf"/> its latest state
/// change (for a finished run, when it finished), so the card tells the same time however late it is drawn.
/// </summary>
/// <param name="Phase">The state in words ("Deploying…", "Update queued"); the status's own name when null.</param>
public sealed record DeploymentView(
    string Id,
    string ModuleName,
    DeploymentViewStatus Status,
    int StepsDone,
    int StepsTotal,
    DateTimeOffset StartedAt,
    DateTimeOffset AsOf,
    IReadOnlyList<DeploymentOutputView> Outputs,
    IReadOnlyList<UiAction> Actions,
    string? Message = null,
    string? Phase = null)
{
    public TimeSpan Elapsed => AsOf > StartedAt ? AsOf - StartedAt : TimeSpan.Zero;

    public bool Finished => Status is DeploymentViewStatus.Succeeded or DeploymentViewStatus.Failed or DeploymentViewStatus.Cancelled;
}

/// <summary>
/// Deployment status: icon and state with its time ("Deploying… (1 min 20 s)", "Succeeded in 2 min 3 s"), progress
/// (steps done/total as a bar), start and finish times, outputs, actions.
/// </summary>
public static class DeploymentCard
{
    private const int BarWidth = 10;
    private const string TimeFormat = "yyyy-MM-dd HH:mm:ss 'UTC'";

    public static UiMessage Build(DeploymentView d)
    {
        ArgumentNullException.ThrowIfNull(d);
        var (icon, tone) = d.Status switch
        {
            DeploymentViewStatus.Queued => ("⏳", UiTextTone.Subtle),
            DeploymentViewStatus.Running => ("🔄", UiTextTone.Default),
            DeploymentViewStatus.Succeeded => ("✅", UiTextTone.Good),
            DeploymentViewStatus.Failed => ("❌", UiTextTone.Attention),
            _ => ("⏹️", UiTextTone.Warning),
        };
        var headline = Headline(d);
        var facts = new List<UiFact>
        {
            new("Deployment", d.Id),
            new("Started", d.StartedAt.ToUniversalTime().ToString(TimeFormat, CultureInfo.InvariantCulture)),
        };
        if (d.AsOf > d.StartedAt)
            facts.Add(new UiFact(d.Finished ? "Finished" : "Last update", d.AsOf.ToUniversalTime().ToString(TimeFormat, CultureInfo.InvariantCulture)));
        var body = new List<UiElement>
        {
            new UiHeading($"{icon} {d.ModuleName}: {headline}"),
            new UiText($"{ProgressBar(d.StepsDone, d.StepsTotal)}  Step {Math.Clamp(d.StepsDone, 0, Math.Max(d.StepsTotal, 0))} of {Math.Max(d.StepsTotal, 0)}", tone),
            new UiFactSet(facts),
        };
        if (!string.IsNullOrWhiteSpace(d.Message))
            body.Add(new UiText(UiMarkdown.Escape(d.Message, 1500), d.Status == DeploymentViewStatus.Failed ? UiTextTone.Attention : UiTextTone.Default));
        if (d.Outputs.Count > 0)
        {
            body.Add(new UiText("**Outputs**"));
            body.Add(new UiFactSet(d.Outputs.Select(o => new UiFact(o.Name, o.Sensitive ? "(sensitive, hidden)" : o.Value)).ToList()));
        }
        return new UiMessage($"{d.ModuleName}: {headline}", body, d.Actions);
    }

    /// <summary>
    /// The state with its time: how long a running one had been going at its latest change, how long a finished one
    /// took. A run that has no length yet (just queued, or finished the moment it began) shows no time.
    /// </summary>
    public static string Headline(DeploymentView d)
    {
        var phase = d.Phase ?? d.Status.ToString();
        if (d.Elapsed < TimeSpan.FromSeconds(1) && !(d.Finished && d.Elapsed > TimeSpan.Zero)) return phase;
        return d.Status switch
        {
            DeploymentViewStatus.Succeeded => $"{phase} in {FormatElapsed(d.Elapsed)}",
            DeploymentViewStatus.Failed or DeploymentViewStatus.Cancelled => $"{phase} after {FormatElapsed(d.Elapsed)}",
            _ => $"{phase} ({FormatElapsed(d.Elapsed)})",
        };
    }

    /// <summary>"▰▰▰▱▱▱▱▱▱▱" for 3 of 10; text so that every channel shows it the same.</summary>
    public static string ProgressBar(int done, int total)
    {
        if (total <= 0) return new string('▱', BarWidth);
        var filled = (int)Math.Round(BarWidth * Math.Clamp((double)done / total, 0, 1), MidpointRounding.AwayFromZero);
        return new StringBuilder(BarWidth).Append('▰', filled).Append('▱', BarWidth - filled).ToString();
    }

    /// <summary>"45 s", "2 min 3 s", "1 h 5 min"; "under a second" below one.</summary>
    public static string FormatElapsed(TimeSpan elapsed)
    {
        if (elapsed < TimeSpan.FromSeconds(1)) return "under a second";
        if (elapsed.TotalHours >= 1) return $"{(int)elapsed.TotalHours} h {elapsed.Minutes} min";
        if (elapsed.TotalMinutes >= 1) return $"{elapsed.Minutes} min {elapsed.Seconds} s";
        return $"{elapsed.Seconds} s";
    }
}
