using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using PartnerBot.Bot.Channels.Teams;

namespace PartnerBot.Tests.Teams;

/// <summary>The Teams channel's services without a web host, for client-level tests.</summary>
internal static class TeamsServices
{
    public static ServiceProvider Build(ChannelIdentityServer identity, string environment = "Development",
        Action<IServiceCollection>? configure = null, IDictionary<string, string?>? overrides = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["MicrosoftAppId"] = ChannelIdentityServer.AppId,
            ["MicrosoftAppPassword"] = ChannelIdentityServer.AppPassword,
            ["ToBotFromChannelOpenIdMetadataUrl"] = identity.MetadataUrl,
            ["ToChannelFromBotLoginUrl"] = identity.LoginUrl,
        };
        foreach (var (k, v) in overrides ?? new Dictionary<string, string?>()) settings[k] = v;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IHostEnvironment>(new HostingEnvironment { EnvironmentName = environment, ApplicationName = "partnerbot" });
        services.AddTeamsChannel(configuration);
        configure?.Invoke(services);
        return services.BuildServiceProvider();
    }
}

/// <summary>A clock the test moves by hand.</summary>
internal sealed class ManualTimeProvider(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;
    public override DateTimeOffset GetUtcNow() => Now;
}
