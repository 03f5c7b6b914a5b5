using Microsoft.Playwright;
using PartnerBot.Tests.Infrastructure;

namespace PartnerBot.Tests.WebChat;

public sealed class WebChatPageTests
{
    [BrowserFact]
    public async Task Typing_help_shows_the_menu_card_with_its_buttons()
    {
        await using var host = await BotTestHost.StartAsync();
        await using var browser = await WebChatBrowser.OpenAsync(host.BaseAddress);

        // The welcome arrives on its own; then the typed "help" brings the menu again.
        await browser.Page.GetByText("Hi ").First.WaitForAsync();
        await browser.SendAsync("help");
        var deployButtons = browser.Page.GetByRole(AriaRole.Button, new() { Name = "Deploy a module" });
        await Assertions.Expect(deployButtons).ToHaveCountAsync(2);
        foreach (var name in new[] { "My deployments", "Publish modules", "GitHub settings", "Billing", "Help & guides", "Contact support", "Theme" })
            await Assertions.Expect(browser.Page.GetByRole(AriaRole.Button, new() { Name = name }).Last).ToBeVisibleAsync();

        var screenshot = await browser.ScreenshotAsync("webchat-menu");
        Assert.True(new FileInfo(screenshot).Length > 10_000);
    }

    [BrowserFact]
    public async Task The_theme_switch_changes_the_page_and_the_choice_outlives_a_restart()
    {
        var dataDirectory = Directory.CreateTempSubdirectory("partnerbot-theme-").FullName;
        await using (var host = await BotTestHost.StartAsync(dataDirectory: dataDirectory))
        await using (var browser = await WebChatBrowser.OpenAsync(host.BaseAddress))
        {
            await browser.Page.GetByText("Hi ").First.WaitForAsync();
            Assert.Equal("light", await browser.Page.GetAttributeAsync("html", "data-theme"));
            await browser.SendAsync("theme dark");
            await Assertions.Expect(browser.Page.Locator("html")).ToHaveAttributeAsync("data-theme", "dark");
            await browser.Page.GetByText("your theme is now").First.WaitForAsync();
            await browser.ScreenshotAsync("webchat-dark");

            // The same person (their session cookie kept, the page's local choice not) in a fresh browser after a restart.
            var session = (await browser.Page.Context.CookiesAsync()).Where(c => c.Name == "partnerbot.webchat")
                .Select(c => new Microsoft.Playwright.Cookie { Name = c.Name, Value = c.Value, Domain = c.Domain, Path = c.Path, HttpOnly = c.HttpOnly, SameSite = c.SameSite })
                .ToList();
            Assert.Single(session);
            await host.DisposeAsync();
            await using var restarted = await BotTestHost.StartAsync(dataDirectory: dataDirectory);
            await using var fresh = await WebChatBrowser.OpenAsync(restarted.BaseAddress);
            await fresh.Page.Context.AddCookiesAsync(session);
            await fresh.Page.EvaluateAsync("() => localStorage.clear()");
            await fresh.Page.ReloadAsync();
            await Assertions.Expect(fresh.Page.Locator("html")).ToHaveAttributeAsync("data-theme", "dark");
        }
    }
}
