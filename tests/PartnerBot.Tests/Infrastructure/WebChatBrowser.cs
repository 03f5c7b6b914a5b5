using Microsoft.Playwright;

namespace PartnerBot.Tests.Infrastructure;

/// <summary>Headless Chromium on the local Web Chat page, through Playwright.</summary>
public sealed class WebChatBrowser : IAsyncDisposable
{
    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;

    private WebChatBrowser(IPlaywright playwright, IBrowser browser, IPage page)
    {
        _playwright = playwright;
        _browser = browser;
        Page = page;
    }

    public IPage Page { get; }

    public static string ArtifactsDirectory
    {
        get
        {
            var path = Path.Combine(AppContext.BaseDirectory, "artifacts");
            Directory.CreateDirectory(path);
            return path;
        }
    }

    public static async Task<WebChatBrowser> OpenAsync(Uri baseAddress, IBrowserContext? reuse = null)
    {
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = BrowserFactAttribute.ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1100, Height = 900 } });
        page.SetDefaultTimeout(30_000);
        await page.GotoAsync(baseAddress.ToString());
        return new WebChatBrowser(playwright, browser, page);
    }

    public ILocator SendBox => Page.Locator("[data-id='webchat-sendbox-input']");

    public async Task SendAsync(string text)
    {
        await SendBox.FillAsync(text);
        await SendBox.PressAsync("Enter");
    }

    public async Task<string> ScreenshotAsync(string name)
    {
        var path = Path.Combine(ArtifactsDirectory, name + ".png");
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        return path;
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }
}
