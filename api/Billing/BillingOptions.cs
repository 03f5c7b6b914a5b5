using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace PartnerBot.Api.Billing;

/// <summary><c>Stripe:*</c>: the keys and the API address (tests point it at a local fake).</summary>
public sealed class StripeOptions
{
    public const string Section = "Stripe";
    public string SecretKey { get; set; } = "";
    public string WebhookSecret { get; set; } = "";
    public string ApiBase { get; set; } = "https://api.stripe.com";

    public bool Configured => !string.IsNullOrWhiteSpace(SecretKey);
}

public enum SubscriptionCreditMode { Reset, Add }

/// <summary>A subscription tier offered when Stripe is not configured (or to name tiers in sandbox mode).</summary>
public sealed class TierOptions
{
    public string Name { get; set; } = "";
    public decimal Credits { get; set; }
    public decimal Price { get; set; }
    public string Currency { get; set; } = "usd";
    public string Interval { get; set; } = "month";
}

/// <summary>A one-time credit pack: <see cref="Credits"/> for <see cref="Price"/>, or a Stripe price when <see cref="PriceId"/> is set.</summary>
public sealed class PackOptions
{
    public decimal Credits { get; set; }
    public decimal Price { get; set; }
    public string Currency { get; set; } = "usd";
    public string? PriceId { get; set; }
}

/// <summary>The <c>Billing</c> section.</summary>
public sealed class BillingOptions
{
    public const string Section = "Billing";

    /// <summary><c>Billing:SubscriptionCredits</c>: each paid period sets the subscription balance (Reset) or adds to it (Add).</summary>
    public SubscriptionCreditMode SubscriptionCredits { get; set; } = SubscriptionCreditMode.Reset;

    /// <summary><c>Billing:Tiers</c>: used when Stripe is not configured.</summary>
    public List<TierOptions> Tiers { get; set; } = [];

    /// <summary><c>Billing:Packs</c>: the credit amounts offered under "Buy credits".</summary>
    public List<PackOptions> Packs { get; set; } = [];

    /// <summary><c>Billing:LinkLifetimeMinutes</c>: how long a signed download link works.</summary>
    public int LinkLifetimeMinutes { get; set; } = 10;

    /// <summary><c>Billing:LinkSigningKey</c>: base64 key for signed links; generated and stored when empty.</summary>
    public string LinkSigningKey { get; set; } = "";

    public static IReadOnlyList<TierOptions> DefaultTiers { get; } =
    [
        new() { Name = "Starter", Credits = 200, Price = 19 },
        new() { Name = "Team", Credits = 1000, Price = 79 },
        new() { Name = "Scale", Credits = 5000, Price = 299 },
    ];

    public static IReadOnlyList<PackOptions> DefaultPacks { get; } =
    [
        new() { Credits = 100, Price = 10 },
        new() { Credits = 500, Price = 45 },
        new() { Credits = 1000, Price = 80 },
    ];

    public IReadOnlyList<TierOptions> EffectiveTiers => Tiers.Count > 0 ? Tiers : DefaultTiers;
    public IReadOnlyList<PackOptions> EffectivePacks => Packs.Count > 0 ? Packs : DefaultPacks;
}

internal sealed class BillingOptionsValidator : IValidateOptions<BillingOptions>
{
    public ValidateOptionsResult Validate(string? name, BillingOptions options)
    {
        var failures = new List<string>();
        for (var i = 0; i < options.Packs.Count; i++)
            if (options.Packs[i].Credits <= 0 || (options.Packs[i].Price <= 0 && string.IsNullOrEmpty(options.Packs[i].PriceId)))
                failures.Add($"Billing:Packs:{i} needs Credits > 0 and a Price > 0 or a PriceId.");
        for (var i = 0; i < options.Tiers.Count; i++)
            if (options.Tiers[i].Credits <= 0 || string.IsNullOrWhiteSpace(options.Tiers[i].Name))
                failures.Add($"Billing:Tiers:{i} needs a Name and Credits > 0.");
        if (options.LinkLifetimeMinutes is < 1 or > 1440)
            failures.Add("Billing:LinkLifetimeMinutes must be between 1 and 1440.");
        if (options.LinkSigningKey.Length > 0)
        {
            var buffer = new byte[options.LinkSigningKey.Length];
            if (!Convert.TryFromBase64String(options.LinkSigningKey, buffer, out var written) || written < 32)
                failures.Add("Billing:LinkSigningKey must be base64 of at least 32 bytes.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

internal sealed class StripeOptionsValidator(IHostEnvironment environment) : IValidateOptions<StripeOptions>
{
    public ValidateOptionsResult Validate(string? name, StripeOptions options)
    {
        if (!Uri.TryCreate(options.ApiBase, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http"))
            return ValidateOptionsResult.Fail("Stripe:ApiBase must be an absolute http(s) URL.");
        if (uri.Scheme == "http" && !(environment.IsDevelopment() && uri.IsLoopback))
            return ValidateOptionsResult.Fail("Stripe:ApiBase must use https (http is accepted only on loopback in Development).");
        if (options.Configured && string.IsNullOrWhiteSpace(options.WebhookSecret))
            return ValidateOptionsResult.Fail("Stripe:WebhookSecret is required when Stripe:SecretKey is set.");
        return ValidateOptionsResult.Success;
    }
}
