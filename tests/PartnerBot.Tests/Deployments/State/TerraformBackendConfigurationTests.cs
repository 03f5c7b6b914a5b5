using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using PartnerBot.Api.Deployments;
using PartnerBot.Api.Deployments.State;
using PartnerBot.Tests.Storage;

namespace PartnerBot.Tests.Deployments.State;

public sealed class TerraformBackendConfigurationTests : IAsyncLifetime
{
    private TestStore _store = null!;

    public async Task InitializeAsync() => _store = await TestStore.CreateAsync(StoreKind.Sqlite);

    public async Task DisposeAsync() => await _store.DisposeAsync();

    private (TerraformBackendConfiguration Backends, TerraformStateCredentials Credentials) Create(TerraformBackendOptions backend,
        string? publicBaseUrl = "https://bot.example.com/")
    {
        var credentials = new TerraformStateCredentials(_store.Store, new EphemeralDataProtectionProvider());
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["PublicBaseUrl"] = publicBaseUrl }).Build();
        return (new TerraformBackendConfiguration(Options.Create(new DeploymentOptions { Backend = backend }), configuration, credentials,
            Microsoft.Extensions.DependencyInjection.ServiceCollectionContainerBuilderExtensions.BuildServiceProvider(new Microsoft.Extensions.DependencyInjection.ServiceCollection())),
            credentials);
    }

    private static Task<OptionsValidationException> StartFailsAsync(Dictionary<string, string?> settings) =>
        Assert.ThrowsAsync<OptionsValidationException>(async () =>
        {
            await using var harness = await DeploymentHarness.StartAsync(settings);
        });

    [Fact]
    public void The_defaults_are_the_built_in_http_backend_and_32_mb_of_state()
    {
        var options = new DeploymentOptions();
        Assert.Equal(32L * 1024 * 1024, options.MaxStateBytes);
        Assert.Equal(TerraformBackendKind.Http, options.Backend.Type);
    }

    [Fact]
    public async Task The_http_backend_gets_the_deployments_address_lock_methods_and_a_password_only_in_the_environment()
    {
        var (backends, credentials) = Create(new TerraformBackendOptions());

        var setup = await backends.ForDeploymentAsync("dep-42");

        Assert.Equal("http", setup.BackendType);
        Assert.Contains("backend \"http\" {}", setup.OverrideFileContent);
        Assert.EndsWith("_override.tf", TerraformBackendSetup.OverrideFileName);
        const string address = "https://bot.example.com/api/terraform/state/dep-42";
        Assert.Equal(
            [$"-backend-config=address={address}", $"-backend-config=lock_address={address}", $"-backend-config=unlock_address={address}",
             "-backend-config=lock_method=LOCK", "-backend-config=unlock_method=UNLOCK", "-backend-config=username=deployment"],
            setup.InitArguments);
        var password = await credentials.PasswordAsync("dep-42");
        Assert.Equal(password, setup.Environment[TerraformBackendConfiguration.PasswordVariable]);
        Assert.DoesNotContain(setup.InitArguments, a => a.Contains(password, StringComparison.Ordinal));
        Assert.DoesNotContain(password, setup.OverrideFileContent, StringComparison.Ordinal);
        Assert.Equal([password], setup.SecretValues);
    }

    [Fact]
    public async Task A_configured_base_url_wins_over_the_public_one()
    {
        var (backends, _) = Create(new TerraformBackendOptions { BaseUrl = "http://127.0.0.1:3978" });
        Assert.Equal("http://127.0.0.1:3978/api/terraform/state/dep-1", backends.StateAddress("dep-1"));
    }

    [Theory]
    [InlineData(TerraformBackendKind.S3, null, "key", "partnerbot/dep-7.tfstate")]
    [InlineData(TerraformBackendKind.Azurerm, "states/{deploymentId}/terraform.tfstate", "key", "states/dep-7/terraform.tfstate")]
    [InlineData(TerraformBackendKind.Gcs, null, "prefix", "partnerbot/dep-7")]
    public async Task An_operators_backend_gets_its_settings_and_the_expanded_key(TerraformBackendKind kind, string? template,
        string keyArgument, string key)
    {
        var (backends, _) = Create(new TerraformBackendOptions
        {
            Type = kind, KeyTemplate = template, Settings = new() { ["bucket"] = "states", ["region"] = "eu-west-1" },
        });

        var setup = await backends.ForDeploymentAsync("dep-7");

        Assert.Contains($"backend \"{kind.ToString().ToLowerInvariant()}\" {{}}", setup.OverrideFileContent);
        Assert.Equal(["-backend-config=bucket=states", "-backend-config=region=eu-west-1", $"-backend-config={keyArgument}={key}"],
            setup.InitArguments);
        Assert.Empty(setup.Environment);
    }

    [Fact]
    public async Task An_incomplete_operator_backend_stops_start_up_naming_the_keys()
    {
        var error = await StartFailsAsync(new()
        {
            ["Deployments:Backend:Type"] = "s3",
            ["Deployments:Backend:KeyTemplate"] = "states/all.tfstate",
            ["Deployments:Backend:Settings:region"] = "eu-west-1",
            ["Deployments:Backend:Settings:secret_key"] = "shh",
        });
        Assert.Contains(error.Failures, f => f.StartsWith("Deployments:Backend:Settings:bucket is required"));
        Assert.Contains(error.Failures, f => f.StartsWith("Deployments:Backend:Settings:secret_key is a credential"));
        Assert.Contains(error.Failures, f => f.StartsWith("Deployments:Backend:KeyTemplate must contain {deploymentId}"));
    }

    [Fact]
    public async Task Bad_state_limits_and_http_backend_settings_stop_start_up()
    {
        var error = await StartFailsAsync(new()
        {
            ["Deployments:MaxStateBytes"] = "10",
            ["Deployments:Backend:BaseUrl"] = "not a url",
            ["Deployments:Backend:Settings:bucket"] = "b",
        });
        Assert.Contains(error.Failures, f => f.Contains("Deployments:MaxStateBytes must be between"));
        Assert.Contains(error.Failures, f => f.StartsWith("Deployments:Backend:BaseUrl must be an absolute http(s) URL"));
        Assert.Contains(error.Failures, f => f.StartsWith("Deployments:Backend:Settings apply only to"));
    }

    [Fact]
    public async Task A_complete_operator_backend_starts()
    {
        await using var harness = await DeploymentHarness.StartAsync(new Dictionary<string, string?>
        {
            ["Deployments:Backend:Type"] = "azurerm",
            ["Deployments:Backend:Settings:storage_account_name"] = "acct",
            ["Deployments:Backend:Settings:container_name"] = "tfstate",
            ["Deployments:Backend:Settings:resource_group_name"] = "rg",
        });
        var setup = await harness.Get<TerraformBackendConfiguration>().ForDeploymentAsync("dep-9");
        Assert.Contains("-backend-config=key=partnerbot/dep-9.tfstate", setup.InitArguments);
    }
}
