using Microsoft.Extensions.Options;
using PartnerBot.Tests.Infrastructure;

namespace PartnerBot.Tests.Hosting;

public sealed class ConfigurationValidationTests
{
    [Theory]
    [InlineData("PublicBaseUrl", "not a url", "PublicBaseUrl")]
    [InlineData("Storage:Provider", "Floppy", "Storage:Provider")]
    [InlineData("Storage:Provider", "Cosmos", "Storage:Cosmos:ConnectionString")]
    public async Task A_bad_value_stops_the_host_with_a_message_naming_the_key(string key, string value, string named)
    {
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(async () =>
        {
            await using var host = await BotTestHost.StartAsync(new Dictionary<string, string?> { [key] = value });
        });
        Assert.Contains(named, failure.Message);
        Assert.DoesNotContain("\n", string.Join(" ", failure.Failures));
    }

    [Fact]
    public async Task Plain_http_public_address_is_refused_in_production()
    {
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(async () =>
        {
            await using var host = await BotTestHost.StartAsync(new Dictionary<string, string?> { ["PublicBaseUrl"] = "http://bot.example.com" }, environment: "Production");
        });
        Assert.Contains("PublicBaseUrl", failure.Message);
    }
}
