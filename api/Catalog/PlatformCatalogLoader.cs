using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PartnerBot.Api.Modules;

namespace PartnerBot.Api.Catalog;

/// <summary>
/// Loads the platform modules from the catalog folder (<c>Catalog:Path</c>) at start-up: every sub-folder is a
/// candidate module, listed when it parses as a valid module. Without <c>Catalog:Path</c> the bundled sample catalog
/// (<c>catalog</c> next to the executable) is the default only in Development; elsewhere platform modules come from
/// <c>GitHub:PlatformRepository</c> or a folder an operator names (the samples too, when asked for by path), and
/// modules an earlier start loaded from a folder leave the catalog.
/// </summary>
public sealed class PlatformCatalogLoader(IModuleCatalog catalog, IConfiguration configuration, IHostEnvironment environment,
    ILogger<PlatformCatalogLoader> logger) : IHostedService
{
    public const string Source = "folder";

    public static string SampleFolder => Path.Combine(AppContext.BaseDirectory, "catalog");

    /// <summary>The catalog folder, or null when platform modules come from nowhere but the platform repository.</summary>
    public string? FolderPath => configuration["Catalog:Path"] is { Length: > 0 } configured ? Path.GetFullPath(configured)
        : environment.IsDevelopment() ? SampleFolder
        : null;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var folder = FolderPath;
        if (folder is null)
        {
            logger.LogInformation(string.IsNullOrWhiteSpace(configuration["GitHub:PlatformRepository"])
                ? "No platform catalog folder: set Catalog:Path or GitHub:PlatformRepository (the bundled samples load by default only in Development)."
                : "Platform modules come from the platform repository; no catalog folder is configured (Catalog:Path).");
            await ForgetFolderModulesAsync(cancellationToken);
            return;
        }
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

    /// <summary>Modules an earlier start loaded from a folder (e.g. the samples in Development) leave the catalog.</summary>
    private async Task ForgetFolderModulesAsync(CancellationToken ct)
    {
        try
        {
            await catalog.ReplaceSourceAsync(ModuleCatalog.PlatformOwner, Source, [], ct);
        }
        catch (Storage.StorageException e)
        {
            logger.LogWarning("Storage did not answer while clearing folder-loaded platform modules ({Message}); they stay until the next start.", e.Message);
        }
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
