using Microsoft.Extensions.Options;

namespace PartnerBot.Bot.Hosting;

/// <summary>Validates options with a function returning the one-line problem (naming the key), or null when fine.</summary>
public sealed class DelegateOptionsValidator<T>(Func<T, string?> validate) : IValidateOptions<T> where T : class
{
    public ValidateOptionsResult Validate(string? name, T options) =>
        validate(options) is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;
}

public static class OptionsValidationExtensions
{
    /// <summary>Registers <paramref name="validate"/> and runs it at start-up.</summary>
    public static OptionsBuilder<T> ValidateWith<T>(this OptionsBuilder<T> builder, Func<T, string?> validate) where T : class
    {
        builder.Services.AddSingleton<IValidateOptions<T>>(new DelegateOptionsValidator<T>(validate));
        return builder.ValidateOnStart();
    }
}
