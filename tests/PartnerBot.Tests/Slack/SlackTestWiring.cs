using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using PartnerBot.Bot.Channels.Slack;

namespace PartnerBot.Tests.Slack;

/// <summary>What a test host adds on top of <see cref="PartnerBot.Bot.Hosting.BotHost"/> for the Slack channel.</summary>
internal static class SlackTestWiring
{
    public static void Apply(WebApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton<ISlackBlockKit, HandBuiltBlockKit>();
        builder.Services.AddSlackChannel(builder.Configuration);
    }

    public static void Map(WebApplication app) => app.MapSlackChannel();
}
