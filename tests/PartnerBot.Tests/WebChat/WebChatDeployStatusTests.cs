using System.Text.RegularExpressions;
using Microsoft.Playwright;
using PartnerBot.Tests.Deployments;
using PartnerBot.Tests.Infrastructure;

namespace PartnerBot.Tests.WebChat;

/// <summary>A browser test that also needs the real Terraform CLI; skipped with the reason when either is missing.</summary>
public sealed class BrowserAndTerraformFactAttribute : FactAttribute
{
    public BrowserAndTerraformFactAttribute()
    {
        if (!File.Exists(BrowserFactAttribute.ChromiumPath))
            Skip = $"Chromium is not installed at {BrowserFactAttribute.ChromiumPath} (run .ci/run, or apt-get install chromium).";
        else if (RealTerraform.Path is null)
            Skip = "terraform is not on PATH: the deployment cannot run (install Terraform 1.4+).";
    }
}

public sealed class WebChatDeployStatusTests
{
    private static readonly Regex StatusHeadline = new(@"Network: (Queued|Preparing…|Deploying…|Succeeded|Failed)");

    [BrowserAndTerraformFact]
    public async Task A_deployment_shows_one_status_card_in_the_page_that_changes_until_it_succeeded()
    {
        // The real Terraform CLI applies the sample Network module (terraform_data only, offline).
        await using var host = await BotTestHost.StartAsync(new Dictionary<string, string?> { ["Deployments:Runner"] = "Local", ["Deployments:RequirePlanApproval"] = "false" });
        await using var browser = await WebChatBrowser.OpenAsync(host.BaseAddress);
        var page = browser.Page;

        await page.GetByText("Hi ").First.WaitForAsync();
        await browser.SendAsync("deploy Network");
        await FillTheFormAsync(page);
        var confirmation = page.Locator(".ac-adaptiveCard").Filter(new() { HasText = "Deploy Network?" }).Last;
        await confirmation.GetByRole(AriaRole.Button, new() { Name = "Deploy", Exact = true }).ClickAsync();

        // While the deployment runs, the page never shows more than one status card; it ends as Succeeded.
        var statusCards = page.Locator(".ac-adaptiveCard").Filter(new() { HasTextRegex = StatusHeadline });
        var succeeded = statusCards.Filter(new() { HasText = "Succeeded in" });
        var most = 0;
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (await succeeded.CountAsync() == 0 && DateTime.UtcNow < deadline)
        {
            most = Math.Max(most, await statusCards.CountAsync());
            await Task.Delay(200);
        }
        await Assertions.Expect(succeeded).ToHaveCountAsync(1, new() { Timeout = 30_000 });
        most = Math.Max(most, await statusCards.CountAsync());
        var screenshot = await browser.ScreenshotAsync("webchat-deploy-status");

        Assert.Equal(1, most);
        await Assertions.Expect(statusCards).ToHaveCountAsync(1);
        var text = await statusCards.First.InnerTextAsync();
        Assert.Matches(@"✅ Network: Succeeded in (\d+ min )?\d+ s|✅ Network: Succeeded in under a second", text);
        Assert.Matches(@"Step (\d+) of \1\b", text); // every step done
        Assert.Contains("Finished", text);
        Assert.Contains("network_name", text);
        Assert.DoesNotContain("Succeeded: ", text);
        Assert.DoesNotContain("Applied.", text);
        Assert.True(new FileInfo(screenshot).Length > 10_000);
    }

    /// <summary>Fills the form step by step (a project id on the first step, defaults elsewhere) up to the confirmation.</summary>
    private static async Task FillTheFormAsync(IPage page)
    {
        var confirmation = page.Locator(".ac-adaptiveCard").Filter(new() { HasText = "Deploy Network?" });
        for (var step = 1; step <= 10; step++)
        {
            var card = page.Locator(".ac-adaptiveCard").Filter(new() { HasText = $"Step {step} of" }).Last;
            await Assertions.Expect(card.Or(confirmation).Last).ToBeVisibleAsync();
            if (await confirmation.CountAsync() > 0) return;
            if (step == 1) await card.Locator("input.ac-textInput").First.FillAsync("acme-prod-1");
            var next = card.GetByRole(AriaRole.Button, new() { Name = "Next", Exact = true });
            if (await next.CountAsync() == 0) next = card.GetByRole(AriaRole.Button, new() { Name = "Submit", Exact = true });
            await next.ClickAsync();
        }
        throw new InvalidOperationException("The form did not reach its confirmation.");
    }
}
