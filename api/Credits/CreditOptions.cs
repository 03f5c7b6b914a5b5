using System.ComponentModel.DataAnnotations;

namespace PartnerBot.Api.Credits;

/// <summary>The <c>Credits</c> configuration section.</summary>
public sealed class CreditOptions
{
    public const string Section = "Credits";

    /// <summary><c>Credits:SignupAward</c>: awarded credits granted once to every new user.</summary>
    [Range(0, 1_000_000, ErrorMessage = "Credits:SignupAward must be between 0 and 1000000.")]
    public decimal SignupAward { get; set; } = 100;
}
