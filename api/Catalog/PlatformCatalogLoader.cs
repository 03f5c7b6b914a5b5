using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PartnerBot.Api.Modules;

namespace PartnerBot.Api.Catalog;

/// <summary>
/// Loads the platform modules from the catalog folder (<c>Catalog:Path</c>, default <c>catalog</c> next to the
/// executable) at start-up: every sub-folder is a candidate module, listed when it parses as a valid module.
/// </summary>
public sealed class PlatformCatalogLoader(IModuleCatalog catalog, IConfiguration configuration, ILogger<PlatformCatalogLoader> logger)
    : IHostedService
{
    public const string Source = "folder";

    public string FolderPath => configuration["Catalog:Path"] is { Length: > 0 } configured
        ? Path.GetFullPath(configured)
        : Path.Combine(AppContext.BaseDirectory, "catalog");

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var folder = FolderPath;
        if (!Directory.Exists(folder))
        {
            logger.LogWarning("The platform catalog folder {Folder} does not exist; no platform modules were loaded.", folder);
            return;
        }
        try
        {
            var loaded = await LoadAsync(folder, cancellationToken);
            logger.LogInformation("Loaded {Count} platform module(s) from {Folder}.", loaded, folder);
        }
        catch (Storage.StorageException e)
        {
            // The host still starts (and /readyz says storage is down); loading is retried until storage answers.
            logger.LogWarning("Storage did not answer while loading the platform catalog ({Message}); retrying in the background.", e.Message);
            _retry = RetryAsync(folder, _stopping.Token);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        if (_retry is not null) await _retry.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private readonly CancellationTokenSource _stopping = new();
    private Task? _retry;

    private async Task RetryAsync(string folder, CancellationToken ct)
    {
        for (var delay = TimeSpan.FromSeconds(1); !ct.IsCancellationRequested; delay = TimeSpan.FromSeconds(Math.Min(delay.TotalSeconds * 2, 60)))
        {
            try
            {
                await Task.Delay(delay, ct);
                var loaded = await LoadAsync(folder, ct);
                logger.LogInformation("Loaded {Count} platform module(s) from {Folder}.", loaded, folder);
                return;
            }
            catch (Storage.StorageException e)
            {
                logger.LogWarning("Platform catalog not loaded yet: {Message}", e.Message);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Makes the platform's folder-sourced modules exactly the modules found in <paramref name="folder"/>.</summary>
    public async Task<int> LoadAsync(string folder, CancellationToken ct)
    {
        var modules = new List<(TerraformModule, IReadOnlyDictionary<string, string>)>();
        foreach (var directory in Directory.EnumerateDirectories(folder).Order(StringComparer.Ordinal))
        {
            var result = ModuleLoader.LoadDirectory(directory);
            if (result.Module is not { } module)
            {
                logger.LogWarning("Catalog folder {Module} does not parse: {Error}", result.Name, result.Error);
                continue;
            }
            if (!module.Valid)
                logger.LogWarning("Catalog module {Module} is not listed: {Problems}", module.Name, string.Join("; ", module.Problems));
            modules.Add((module, ModuleFiles.Read(directory)));
        }
        await catalog.ReplaceSourceAsync(ModuleCatalog.PlatformOwner, Source, modules, ct);
        return modules.Count(m => m.Item1.Valid);
    }
}
