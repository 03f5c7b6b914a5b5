using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using PartnerBot.Api.Catalog;
using PartnerBot.Api.Modules;
using PartnerBot.Tests.Deployments;
using PartnerBot.Tests.Storage;

namespace PartnerBot.Tests.Catalog;

public sealed class ModuleCatalogTests : IAsyncLifetime
{
    private TestStore _store = null!;
    private ModuleCatalog _catalog = null!;

    public async Task InitializeAsync()
    {
        _store = await TestStore.CreateAsync(StoreKind.Sqlite);
        _catalog = new ModuleCatalog(_store.Store, TimeProvider.System, NullLogger<ModuleCatalog>.Instance);
        var loader = new PlatformCatalogLoader(_catalog, new ConfigurationBuilder().Build(),
            PartnerBot.Tests.Deployments.Isolation.LocalRunnerFactory.Environment("Production"), NullLogger<PlatformCatalogLoader>.Instance);
        await loader.LoadAsync(DeploymentHarness.TestCatalogFolder, CancellationToken.None);
    }

    public async Task DisposeAsync() => await _store.DisposeAsync();

    private static (TerraformModule, IReadOnlyDictionary<string, string>) Load(string folder)
    {
        var files = Directory.EnumerateFiles(folder, "*.tf").ToDictionary(f => Path.GetFileName(f), File.ReadAllText);
        return (ModuleLoader.LoadFiles(Path.GetFileName(folder), files).Module!, files);
    }

    private static string[] Names(CatalogPage page) => page.Items.Select(m => m.Name).ToArray();

    [Fact]
    public async Task Public_platform_modules_are_visible_to_everyone_and_private_ones_only_to_shared_users_and_admins()
    {
        var stranger = await _catalog.SearchAsync(new CatalogViewer("u1", "someone@example.com", false), new CatalogQuery());
        var friend = await _catalog.SearchAsync(new CatalogViewer("u2", "FRIEND@example.com", false), new CatalogQuery());
        var admin = await _catalog.SearchAsync(new CatalogViewer("u3", null, true), new CatalogQuery());

        Assert.Equal(["NeedsTiny", "Premium", "Tiny"], Names(stranger));
        Assert.Equal(["NeedsTiny", "Premium", "Private", "Tiny"], Names(friend));
        Assert.Equal(["NeedsTiny", "Premium", "Private", "Tiny"], Names(admin));
    }

    [Fact]
    public async Task A_change_shows_at_once_on_its_instance_and_within_a_second_on_another_that_reads_no_stamp_meanwhile()
    {
        var clock = new PartnerBot.Tests.Billing.ManualClock(DateTimeOffset.UtcNow);
        var counted = new CallRecordingStore(_store.Store);
        var here = new ModuleCatalog(_store.Store, clock, NullLogger<ModuleCatalog>.Instance);
        var elsewhere = new ModuleCatalog(counted, clock, NullLogger<ModuleCatalog>.Instance);
        var viewer = new CatalogViewer("partner-a", null, false);
        var (model, files) = Load(Path.Combine(DeploymentHarness.TestCatalogFolder, "Tiny"));
        Assert.DoesNotContain("OwnTiny", Names(await elsewhere.SearchAsync(viewer, new CatalogQuery())));
        var callsAfterFirstSearch = counted.Calls.Count;

        await here.SaveAsync("partner-a", model with { Name = "OwnTiny" }, files, "github:partner-a/modules");
        Assert.Contains("OwnTiny", Names(await here.SearchAsync(viewer, new CatalogQuery())));

        // Within the second, a search on the other instance reads nothing and shows what it last read.
        clock.Advance(TimeSpan.FromMilliseconds(900));
        Assert.DoesNotContain("OwnTiny", Names(await elsewhere.SearchAsync(viewer, new CatalogQuery())));
        Assert.Equal(callsAfterFirstSearch, counted.Calls.Count);

        clock.Advance(TimeSpan.FromMilliseconds(200));
        Assert.Contains("OwnTiny", Names(await elsewhere.SearchAsync(viewer, new CatalogQuery())));

        // Removed here: gone here at once, and there after the second.
        await here.RemoveAsync("partner-a", "OwnTiny");
        Assert.DoesNotContain("OwnTiny", Names(await here.SearchAsync(viewer, new CatalogQuery())));
        clock.Advance(ModuleCatalog.StampFreshFor);
        Assert.DoesNotContain("OwnTiny", Names(await elsewhere.SearchAsync(viewer, new CatalogQuery())));
    }

    [Fact]
    public async Task Partner_modules_are_visible_only_to_their_owner_and_admins()
    {
        var (model, files) = Load(Path.Combine(DeploymentHarness.TestCatalogFolder, "Tiny"));
        await _catalog.SaveAsync("partner-a", model with { Name = "OwnTiny" }, files, "github:partner-a/modules");

        Assert.Contains("OwnTiny", Names(await _catalog.SearchAsync(new CatalogViewer("partner-a", null, false), new CatalogQuery())));
        Assert.DoesNotContain("OwnTiny", Names(await _catalog.SearchAsync(new CatalogViewer("partner-b", null, false), new CatalogQuery())));
        Assert.Contains("OwnTiny", Names(await _catalog.SearchAsync(new CatalogViewer("admin", null, true), new CatalogQuery())));
        Assert.Equal(["OwnTiny"], Names(await _catalog.SearchAsync(new CatalogViewer("partner-a", null, false),
            new CatalogQuery { Scope = CatalogScope.Partner })));
        Assert.Null(await _catalog.FindAsync(new CatalogViewer("partner-b", null, false), "OwnTiny"));
        Assert.Equal("partner-a", (await _catalog.FindAsync(new CatalogViewer("partner-a", null, false), "OwnTiny"))!.Owner);
    }

    [Fact]
    public async Task Search_matches_name_description_and_service_and_pages_by_continuation()
    {
        var viewer = new CatalogViewer("u1", null, false);
        Assert.Equal(["Premium"], Names(await _catalog.SearchAsync(viewer, new CatalogQuery { Text = "purchased" })));
        Assert.Equal(["Tiny"], Names(await _catalog.SearchAsync(viewer, new CatalogQuery { Text = "one-resource" })));
        Assert.Equal(3, (await _catalog.SearchAsync(viewer, new CatalogQuery { Service = "testing" })).Items.Count);
        Assert.Empty((await _catalog.SearchAsync(viewer, new CatalogQuery { Service = "Cloud SQL" })).Items);

        var first = await _catalog.SearchAsync(viewer, new CatalogQuery { PageSize = 2 });
        var second = await _catalog.SearchAsync(viewer, new CatalogQuery { PageSize = 2, ContinuationToken = first.ContinuationToken });
        Assert.Equal(["NeedsTiny", "Premium"], Names(first));
        Assert.Equal(["Tiny"], Names(second));
        Assert.Null(second.ContinuationToken);
    }

    [Fact]
    public async Task Reloading_a_source_removes_modules_that_left_it_and_keeps_other_sources()
    {
        var (model, files) = Load(Path.Combine(DeploymentHarness.TestCatalogFolder, "Tiny"));
        await _catalog.SaveAsync(ModuleCatalog.PlatformOwner, model with { Name = "FromGitHub" }, files, "github:acme/platform");

        await _catalog.ReplaceSourceAsync(ModuleCatalog.PlatformOwner, PlatformCatalogLoader.Source, [(model, files)]);

        var names = Names(await _catalog.SearchAsync(new CatalogViewer("admin", null, true), new CatalogQuery()));
        Assert.Equal(["FromGitHub", "Tiny"], names);
    }

    [Fact]
    public async Task Stored_modules_keep_their_source_files_for_the_runner()
    {
        var module = await _catalog.GetAsync(ModuleCatalog.PlatformOwner, "Tiny");
        Assert.NotNull(module);
        Assert.Contains("main.tf", module.Files.Keys);
        Assert.Contains("terraform_data", module.Files["main.tf"]);
        Assert.Equal(1, module.Model.Metadata.CreditCost);
        Assert.Contains(module.Model.Variables, v => v.Name == "password" && v.Sensitive);
    }

    [Fact]
    public async Task The_sample_catalog_shipped_with_the_bot_is_all_valid_modules()
    {
        var shipped = Path.Combine(AppContext.BaseDirectory, "catalog");
        var names = Directory.EnumerateDirectories(shipped).Select(d => Path.GetFileName(d)!).Order().ToArray();
        Assert.Equal(["Database", "Monitoring", "Network", "StaticSite", "WebApp"], names);
        foreach (var folder in Directory.EnumerateDirectories(shipped))
        {
            var module = ModuleLoader.LoadDirectory(folder).Module;
            Assert.NotNull(module);
            Assert.True(module.Valid, folder + ": " + string.Join("; ", module.Problems));
        }
        var database = ModuleLoader.LoadDirectory(Path.Combine(shipped, "Database")).Module!;
        Assert.Equal(["Network"], database.Metadata.Dependencies);
        Assert.Contains(database.Variables, v => v.Sensitive);
    }
}
