using System.Text.Json;
using System.Text.Json.Serialization;
using PartnerBot.Api.Credits;

namespace PartnerBot.Bot.Features.Billing;

/// <summary>What the billing dialog remembers between turns: the tab showing (its phase) and that tab's filters.</summary>
public sealed record BillingState
{
    /// <summary>The tab showing.</summary>
    public BillingTab Phase { get; set; }

    /// <summary>The statement month shown on the Invoices tab.</summary>
    public int? Year { get; set; }

    public int? Month { get; set; }

    // Transactions filters
    public CreditTransactionKind? TxKind { get; set; }

    /// <summary>First day shown, <c>YYYY-MM-DD</c>.</summary>
    public string? TxFrom { get; set; }

    /// <summary>Last day shown (inclusive), <c>YYYY-MM-DD</c>.</summary>
    public string? TxTo { get; set; }

    public string? TxDeployment { get; set; }
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(BillingState))]
internal sealed partial class BillingStateJson : JsonSerializerContext;
