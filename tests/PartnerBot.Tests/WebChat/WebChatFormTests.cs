using Microsoft.Playwright;
using PartnerBot.Tests.Infrastructure;

namespace PartnerBot.Tests.WebChat;

public sealed class WebChatFormTests
{
    [BrowserFact]
    public async Task A_multi_step_provisioning_form_renders_in_the_page_and_one_step_can_be_filled()
    {
        await using var host = await BotTestHost.StartAsync();
        await using var browser = await WebChatBrowser.OpenAsync(host.BaseAddress);
        var page = browser.Page;

        await page.GetByText("Hi ").First.WaitForAsync();
        await browser.SendAsync("deploy Network");

        // Step 1 of the Network module's form, rendered by Web Chat from our Adaptive Card.
        await Assertions.Expect(page.GetByText("Step 1 of", new() { Exact = false }).Last).ToBeVisibleAsync();
        var projectId = page.Locator(".ac-adaptiveCard").Last.Locator("input.ac-textInput").First;
        await projectId.WaitForAsync();
        await projectId.FillAsync("acme-prod-1");
        await browser.ScreenshotAsync("webchat-form-step1");
        await page.GetByRole(AriaRole.Button, new() { Name = "Next" }).Last.ClickAsync();

        // The next step arrives as a new card; the first step's value was accepted.
        await Assertions.Expect(page.GetByText("Step 2 of", new() { Exact = false }).Last).ToBeVisibleAsync();
        var screenshot = await browser.ScreenshotAsync("webchat-form-step2");
        Assert.True(new FileInfo(screenshot).Length > 10_000);
    }
}
