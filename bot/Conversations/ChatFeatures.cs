namespace PartnerBot.Bot.Conversations;

/// <summary>
/// A feature of the chat: its services and its route table, in one class in the feature's folder
/// (<c>Features/X/XRoutes.cs</c>). The host finds every feature of the bot assembly by itself, so adding a feature
/// is adding its folder.
/// </summary>
public interface IChatFeature
{
    /// <summary>Where the feature's commands come in the menu and the help text (lower first).</summary>
    int Order { get; }

    /// <summary>Registers the feature's dialogs, handlers and services.</summary>
    void AddServices(IServiceCollection services, IConfiguration configuration);

    /// <summary>Registers the feature's commands and card verbs with their handlers. Needs no services.</summary>
    void MapRoutes(ChatRouteBuilder routes);
}

public static class ChatFeatures
{
    /// <summary>Every <see cref="IChatFeature"/> with a public parameterless constructor in the bot assembly.</summary>
    public static IReadOnlyList<IChatFeature> Discover() =>
        typeof(ChatFeatures).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IChatFeature).IsAssignableFrom(t) && t.GetConstructor(Type.EmptyTypes) is not null)
            .Select(t => (IChatFeature)Activator.CreateInstance(t)!)
            .OrderBy(f => f.Order).ThenBy(f => f.GetType().Name, StringComparer.Ordinal)
            .ToList();

    /// <summary>Registers every feature of the bot assembly and the route table built from the registered features.</summary>
    public static IServiceCollection AddChatFeatures(this IServiceCollection services, IConfiguration configuration)
    {
        foreach (var feature in Discover()) services.AddChatFeature(feature, configuration);
        return services;
    }

    /// <summary>Registers one feature (the product's own, or one a test or extension brings).</summary>
    public static IServiceCollection AddChatFeature(this IServiceCollection services, IChatFeature feature, IConfiguration configuration)
    {
        services.AddSingleton(feature);
        feature.AddServices(services, configuration);
        return services;
    }
}
