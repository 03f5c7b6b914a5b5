using System.Globalization;
using System.Text;

namespace PartnerBot.Cards.Model;

public enum DeploymentViewStatus { Queued, Running, Succeeded, Failed, Cancelled }

/// <summary>One Terraform output; sensitive ones are never shown.</summary>
public sealed record DeploymentOutputView(string Name, string Value, bool Sensitive = false);

/// <summary>What the status card shows of one deployment (built by the caller from its deployment record).</summary>
public sealed record DeploymentView(
    string Id,
    string ModuleName,
    DeploymentViewStatus Status,
    int StepsDone,
    int StepsTotal,
    DateTimeOffset StartedAt,
    TimeSpan Elapsed,
    IReadOnlyList<DeploymentOutputView> Outputs,
    IReadOnlyList<UiAction> Actions,
    string? Message = null);

/// <summary>Deployment status: icon + status, progress (steps done/total as a bar), elapsed time, outputs, actions.</summary>
public static class DeploymentCard
{
    private const int BarWidth = 10;

    public static UiMessage Build(DeploymentView d)
    {
        ArgumentNullException.ThrowIfNull(d);
        var (icon, label, tone) = d.Status switch
        {
            DeploymentViewStatus.Queued => ("⏳", "Queued", UiTextTone.Subtle),
            DeploymentViewStatus.Running => ("🔄", "Running", UiTextTone.Default),
            DeploymentViewStatus.Succeeded => ("✅", "Succeeded", UiTextTone.Good),
            DeploymentViewStatus.Failed => ("❌", "Failed", UiTextTone.Attention),
            _ => ("⏹️", "Cancelled", UiTextTone.Warning),
        };
        var body = new List<UiElement>
        {
            new UiHeading($"{icon} {d.ModuleName}: {label}"),
            new UiText($"{ProgressBar(d.StepsDone, d.StepsTotal)}  Step {Math.Clamp(d.StepsDone, 0, Math.Max(d.StepsTotal, 0))} of {Math.Max(d.StepsTotal, 0)}", tone),
            new UiFactSet(
            [
                new UiFact("Deployment", d.Id),
                new UiFact("Started", d.StartedAt.ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)),
                new UiFact("Elapsed", FormatElapsed(d.Elapsed)),
            ]),
        };
        if (!string.IsNullOrWhiteSpace(d.Message))
            body.Add(new UiText(UiMarkdown.Escape(d.Message, 1500), d.Status == DeploymentViewStatus.Failed ? UiTextTone.Attention : UiTextTone.Default));
        if (d.Outputs.Count > 0)
        {
            body.Add(new UiText("**Outputs**"));
            body.Add(new UiFactSet(d.Outputs.Select(o => new UiFact(o.Name, o.Sensitive ? "(sensitive, hidden)" : o.Value)).ToList()));
        }
        return new UiMessage($"{d.ModuleName}: {label} ({Math.Max(d.StepsDone, 0)}/{Math.Max(d.StepsTotal, 0)} steps, {FormatElapsed(d.Elapsed)})", body, d.Actions);
    }

    /// <summary>"▰▰▰▱▱▱▱▱▱▱" for 3 of 10; text so that every channel shows it the same.</summary>
    public static string ProgressBar(int done, int total)
    {
        if (total <= 0) return new string('▱', BarWidth);
        var filled = (int)Math.Round(BarWidth * Math.Clamp((double)done / total, 0, 1), MidpointRounding.AwayFromZero);
        return new StringBuilder(BarWidth).Append('▰', filled).Append('▱', BarWidth - filled).ToString();
    }

    public static string FormatElapsed(TimeSpan elapsed)
    {
        if (elapsed < TimeSpan.Zero) elapsed = TimeSpan.Zero;
        if (elapsed.TotalHours >= 1) return $"{(int)elapsed.TotalHours}h {elapsed.Minutes}m";
        if (elapsed.TotalMinutes >= 1) return $"{elapsed.Minutes}m {elapsed.Seconds}s";
        return $"{elapsed.Seconds}s";
    }
}
