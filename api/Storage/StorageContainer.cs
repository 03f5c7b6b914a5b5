using Microsoft.Extensions.DependencyInjection;

namespace PartnerBot.Api.Storage;

/// <summary>
/// A container a feature declares up front, with the properties it orders queries by. Cosmos DB needs a
/// composite index (property, id) for each such ORDER BY; declared containers are created with them at start-up.
/// SQLite ignores declarations.
/// </summary>
public sealed record StorageContainer(string Name, IReadOnlyList<string> OrderByPaths);

public static class StorageContainerRegistration
{
    /// <summary>Declares <paramref name="name"/> and the JSON pointer paths its queries ORDER BY (e.g. <c>/createdAt</c>).</summary>
    public static IServiceCollection AddStorageContainer(this IServiceCollection services, string name, params string[] orderByPaths)
    {
        DocumentRules.ValidateContainer(name);
        foreach (var path in orderByPaths) JsonPointer.Parse(path);
        return services.AddSingleton(new StorageContainer(name, orderByPaths));
    }
}
