namespace PartnerBot.Tests.Infrastructure;

/// <summary>
/// A test that drives the Web Chat page in Debian's Chromium. <c>.ci/run</c> installs Chromium; on a machine
/// without it the test is reported as skipped with the reason, never silently passed.
/// </summary>
public sealed class BrowserFactAttribute : FactAttribute
{
    public const string ChromiumPath = "/usr/bin/chromium";

    public BrowserFactAttribute()
    {
        if (!File.Exists(ChromiumPath))
            Skip = $"Chromium is not installed at {ChromiumPath} (run .ci/run, or apt-get install chromium).";
    }
}
