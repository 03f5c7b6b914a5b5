using Microsoft.AspNetCore.DataProtection;

namespace PartnerBot.Bot.Dialogs;

/// <summary>
/// Protects secret form values while they wait in the stored dialog state between form steps, so no secret is
/// written to the database in clear text.
/// </summary>
public sealed class FormSecrets(IDataProtectionProvider protection)
{
    private const string Prefix = "protected:";
    private readonly IDataProtector _protector = protection.CreateProtector("PartnerBot.Forms.Secret.v1");

    public string? Protect(string? value) => string.IsNullOrEmpty(value) ? value : Prefix + _protector.Protect(value);

    public string? Unprotect(string? value)
    {
        if (value is null || !value.StartsWith(Prefix, StringComparison.Ordinal)) return value;
        try { return _protector.Unprotect(value[Prefix.Length..]); }
        catch (System.Security.Cryptography.CryptographicException) { return null; }
    }
}
