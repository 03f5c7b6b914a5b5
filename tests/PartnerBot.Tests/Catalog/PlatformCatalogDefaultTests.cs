using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using PartnerBot.Api.Catalog;
using PartnerBot.Tests.Deployments;
using PartnerBot.Tests.Deployments.Isolation;
using PartnerBot.Tests.Storage;

namespace PartnerBot.Tests.Catalog;

/// <summary>Where platform modules come from: the bundled samples only in Development, unless an operator names a folder.</summary>
public sealed class PlatformCatalogDefaultTests : IAsyncLifetime
{
    private TestStore _store = null!;
    private ModuleCatalog _catalog = null!;

    public async Task InitializeAsync()
    {
        _store = await TestStore.CreateAsync(StoreKind.Sqlite);
        _catalog = new ModuleCatalog(_store.Store, TimeProvider.System, NullLogger<ModuleCatalog>.Instance);
    }

    public async Task DisposeAsync() => await _store.DisposeAsync();

    private PlatformCatalogLoader Loader(string environment, Dictionary<string, string?>? settings = null) =>
        new(_catalog, new ConfigurationBuilder().AddInMemoryCollection(settings ?? []).Build(), LocalRunnerFactory.Environment(environment),
            NullLogger<PlatformCatalogLoader>.Instance);

    private async Task<string[]> PlatformModulesAsync() =>
        (await _catalog.SearchAsync(new CatalogViewer("admin", null, true), new CatalogQuery { Scope = CatalogScope.Platform, PageSize = 200 }))
            .Items.Select(m => m.Name).ToArray();

    [Fact]
    public async Task Development_defaults_to_the_bundled_samples()
    {
        var loader = Loader("Development");
        await loader.StartAsync(CancellationToken.None);

        Assert.Equal(PlatformCatalogLoader.SampleFolder, loader.FolderPath);
        Assert.Equal(["Database", "Monitoring", "Network", "StaticSite", "WebApp"], await PlatformModulesAsync());
    }

    [Fact]
    public async Task Production_loads_no_samples_and_drops_the_ones_an_earlier_development_start_loaded()
    {
        await Loader("Development").StartAsync(CancellationToken.None);
        Assert.NotEmpty(await PlatformModulesAsync());

        var production = Loader("Production");
        await production.StartAsync(CancellationToken.None);

        Assert.Null(production.FolderPath);
        Assert.Empty(await PlatformModulesAsync());
    }

    [Fact]
    public async Task Production_with_a_platform_repository_loads_no_folder()
    {
        var loader = Loader("Production", new() { ["GitHub:PlatformRepository"] = "acme/platform-modules" });
        await loader.StartAsync(CancellationToken.None);

        Assert.Null(loader.FolderPath);
        Assert.Empty(await PlatformModulesAsync());
    }

    [Theory]
    [InlineData("Production")]
    [InlineData("Development")]
    public async Task Catalog_Path_names_the_folder_in_any_environment(string environment)
    {
        var loader = Loader(environment, new() { ["Catalog:Path"] = DeploymentHarness.TestCatalogFolder });
        await loader.StartAsync(CancellationToken.None);

        Assert.Equal(DeploymentHarness.TestCatalogFolder, loader.FolderPath);
        Assert.Contains("Tiny", await PlatformModulesAsync());
        Assert.DoesNotContain("Network", await PlatformModulesAsync());
    }
}
