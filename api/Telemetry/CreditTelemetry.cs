using PartnerBot.Api.Credits;

namespace PartnerBot.Api.Telemetry;

/// <summary>Counts credits as they move through the ledger (<c>partnerbot.credits</c>, by kind), once per applied transaction.</summary>
public static class CreditTelemetry
{
    public const string Charged = "charged";
    public const string Refunded = "refunded";
    public const string Purchased = "purchased";
    public const string Granted = "granted";
    public const string Adjusted = "adjusted";

    public static string KindOf(CreditTransactionKind kind) => kind switch
    {
        CreditTransactionKind.Debit => Charged,
        CreditTransactionKind.Refund => Refunded,
        CreditTransactionKind.TopUp or CreditTransactionKind.Subscription => Purchased,
        CreditTransactionKind.SignupAward or CreditTransactionKind.Award => Granted,
        _ => Adjusted,
    };

    public static void Moved(CreditTransactionKind kind, decimal amount)
    {
        if (amount == 0) return;
        PartnerBotTelemetry.Credits.Add((double)Math.Abs(amount), new KeyValuePair<string, object?>("kind", KindOf(kind)));
    }
}
