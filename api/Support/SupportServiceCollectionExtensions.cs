using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PartnerBot.Api.Storage;

namespace PartnerBot.Api.Support;

public static class SupportServiceCollectionExtensions
{
    /// <summary>Support options (validated at start-up), the ticket store and the audit log.</summary>
    public static IServiceCollection AddPartnerBotSupport(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SupportOptions>()
            .Configure(o =>
            {
                var s = configuration.GetSection("Support");
                o.SlackChannel = s["SlackChannel"];
                o.TeamsServiceUrl = s["Teams:ServiceUrl"];
                o.TeamsChannelId = s["Teams:ChannelId"];
                o.TeamsTenantId = s["Teams:TenantId"];
                var d = s.GetSection("Delivery");
                if (TimeSpan.TryParse(d["PollInterval"], out var poll)) o.PollInterval = poll;
                if (TimeSpan.TryParse(d["FirstRetryDelay"], out var first)) o.FirstRetryDelay = first;
                if (TimeSpan.TryParse(d["MaxRetryDelay"], out var max)) o.MaxRetryDelay = max;
                if (int.TryParse(d["MaxAttempts"], out var attempts)) o.MaxAttempts = attempts;
                if (TimeSpan.TryParse(d["Lease"], out var lease)) o.DeliveryLease = lease;
            })
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<SupportOptions>>(new SupportOptionsValidator());
        services.AddSingleton<TicketStore>();
        services.AddSingleton<AuditLog>();
        services.AddStorageContainer(TicketStore.Container, "/createdAt");
        services.AddStorageContainer(AuditLog.Container, "/at");
        return services;
    }

    private sealed class SupportOptionsValidator : IValidateOptions<SupportOptions>
    {
        public ValidateOptionsResult Validate(string? name, SupportOptions options) =>
            SupportOptions.Validate(options) is { } failure ? ValidateOptionsResult.Fail(failure) : ValidateOptionsResult.Success;
    }
}
