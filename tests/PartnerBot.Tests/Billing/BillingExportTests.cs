using System.Buffers.Binary;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using PartnerBot.Api.Billing;
using PartnerBot.Api.Credits;
using PartnerBot.Api.Deployments;
using PartnerBot.Api.Identity;
using PartnerBot.Tests.Infrastructure;
using UglyToad.PdfPig;
using static PartnerBot.Tests.Billing.BillingTestSupport;

namespace PartnerBot.Tests.Billing;

/// <summary>Statements (PDF), CSV exports, cost reports and the cost chart, served through short-lived signed links.</summary>
public sealed class BillingExportTests : IAsyncLifetime
{
    private readonly ManualClock _clock = new(new DateTimeOffset(2026, 10, 15, 10, 0, 0, TimeSpan.Zero));
    private BotTestHost _host = null!;

    public async Task InitializeAsync() => _host = await StartHostAsync(new Dictionary<string, string?>(), _clock);
    public async Task DisposeAsync() => await _host.DisposeAsync();

    private T Get<T>() where T : notnull => _host.Services.GetRequiredService<T>();

    /// <summary>October: award 100, bought 500, spent 30 on d-net. November: subscription 1000, 20 on d-net, 50 on d-db (10 refunded).</summary>
    private async Task SeedAsync(string userId)
    {
        var ledger = Get<ICreditLedger>();
        await ledger.GetBalanceAsync(userId);
        await ledger.CreditAsync(userId, CreditBucket.TopUp, 500, CreditTransactionKind.TopUp, "stripe:checkout:cs_oct", "stripe");
        await ledger.DebitAsync(userId, 30, SpendPolicy.AnyBucket, "deployment:d-net", userId);
        _clock.Advance(TimeSpan.FromDays(21)); // 2026-11-05
        await ledger.SetBucketAsync(userId, CreditBucket.Subscription, 1000, CreditTransactionKind.Subscription, "stripe:invoice:in_nov", "stripe");
        _clock.Advance(TimeSpan.FromMinutes(1));
        await ledger.DebitAsync(userId, 20, SpendPolicy.AnyBucket, "deployment:d-net:cost:r1", "cost-report");
        _clock.Advance(TimeSpan.FromMinutes(1));
        await ledger.DebitAsync(userId, 50, SpendPolicy.AnyBucket, "deployment:d-db", userId);
        _clock.Advance(TimeSpan.FromMinutes(1));
        await ledger.RefundAsync(userId, "deployment:d-db", userId);
        _clock.Advance(TimeSpan.FromMinutes(1));
        await ledger.DebitAsync(userId, 40, SpendPolicy.AnyBucket, "deployment:d-db:cost:r2", "cost-report");
    }

    private async Task<string> LinkAsync(string userId, string purpose, Dictionary<string, string> args) =>
        BillingRoutes.ExportPrefix.TrimStart('/') + await Get<SignedLinks>().CreateAsync(userId, purpose, args, CancellationToken.None);

    [Fact]
    public async Task The_monthly_statement_pdf_has_opening_balance_additions_charges_per_deployment_and_closing_balance()
    {
        await SeedAsync("u-pdf");
        var statement = await Get<BillingReports>().StatementAsync("u-pdf", 2026, 11, [], CancellationToken.None);
        Assert.Equal(570, statement.OpeningBalance);
        Assert.Equal(new StatementLine("Subscription", 1000), Assert.Single(statement.Added));
        Assert.Equal([new StatementLine("d-db", 40), new StatementLine("d-net", 20)], statement.Charges);
        Assert.Equal(1510, statement.ClosingBalance);
        Assert.Equal(statement.OpeningBalance + statement.TotalAdded - statement.TotalCharged, statement.ClosingBalance);

        var response = await _host.Client.GetAsync(await LinkAsync("u-pdf", BillingRoutes.StatementPdf, new() { ["year"] = "2026", ["month"] = "11" }));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/pdf", response.Content.Headers.ContentType?.MediaType);
        using var pdf = PdfDocument.Open(await response.Content.ReadAsByteArrayAsync());
        var words = string.Join(" ", pdf.GetPages().SelectMany(p => p.GetWords()).Select(w => w.Text));
        Assert.Contains("November 2026", words);
        Assert.Contains("Opening balance 570 credits", words);
        Assert.Contains("Subscription 1000 credits", words);
        Assert.Contains("d-db 40 credits", words);
        Assert.Contains("d-net 20 credits", words);
        Assert.Contains("Total charged 60 credits", words);
        Assert.Contains("Closing balance 1510 credits", words);

        var october = await Get<BillingReports>().StatementAsync("u-pdf", 2026, 10, [], CancellationToken.None);
        Assert.Equal(0, october.OpeningBalance);
        Assert.Equal(570, october.ClosingBalance);
        Assert.Equal(["Purchased credits", "Sign-up award"], october.Added.Select(a => a.Label));
    }

    [Fact]
    public async Task The_csv_export_holds_the_filtered_rows_and_their_total()
    {
        await SeedAsync("u-csv");
        var csv = await _host.Client.GetStringAsync(await LinkAsync("u-csv", BillingRoutes.TransactionsCsv, new() { ["deployment"] = "d-db" }));
        var lines = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(5, lines.Length); // header, debit, refund, cost report, total
        Assert.StartsWith("2026-11-05T10:02:00Z,Debit,-50,-50,0,0,d-db,deployment:d-db,false,", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("2026-11-05T10:03:00Z,Refund,50,50,0,0,d-db,refund:deployment:d-db,false,", lines[2], StringComparison.Ordinal);
        Assert.Contains(",d-db,deployment:d-db:cost:r2,false,", lines[3], StringComparison.Ordinal);
        Assert.Equal("total,,-40,,,,,,,", lines[4]);

        var debits = await _host.Client.GetStringAsync(await LinkAsync("u-csv", BillingRoutes.TransactionsCsv, new() { ["kind"] = "Debit", ["from"] = "2026-11-01" }));
        var debitLines = debits.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(5, debitLines.Length); // header, 3 November debits, total
        Assert.Equal("total,,-110,,,,,,,", debitLines[^1]);
    }

    [Fact]
    public async Task Signed_links_expire_and_cannot_be_turned_to_another_partners_data()
    {
        await SeedAsync("u-owner");
        var link = await LinkAsync("u-owner", BillingRoutes.TransactionsCsv, []);
        Assert.Equal(HttpStatusCode.OK, (await _host.Client.GetAsync(link)).StatusCode);

        // Rewriting the payload to name someone else breaks the signature.
        var token = link[BillingRoutes.ExportPrefix.TrimStart('/').Length..];
        var parts = token.Split('.');
        var payload = JsonNode.Parse(WebEncoders.Base64UrlDecode(parts[0]))!.AsObject();
        payload["Sub"] = "u-victim";
        var forged = WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(payload.ToJsonString())) + "." + parts[1];
        var forgedResponse = await _host.Client.GetAsync(BillingRoutes.ExportPrefix.TrimStart('/') + forged);
        Assert.Equal(HttpStatusCode.Forbidden, forgedResponse.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await _host.Client.GetAsync(BillingRoutes.ExportPrefix.TrimStart('/') + "not-a-token")).StatusCode);

        // Another partner's link serves only their rows.
        await Get<ICreditLedger>().GetBalanceAsync("u-other");
        var theirs = await _host.Client.GetStringAsync(await LinkAsync("u-other", BillingRoutes.TransactionsCsv, []));
        Assert.DoesNotContain("cs_oct", theirs);
        Assert.Contains("signup:u-other", theirs);

        _clock.Advance(TimeSpan.FromMinutes(9));
        Assert.Equal(HttpStatusCode.OK, (await _host.Client.GetAsync(link)).StatusCode);
        _clock.Advance(TimeSpan.FromMinutes(2));
        var expired = await _host.Client.GetAsync(link);
        Assert.Equal(HttpStatusCode.Gone, expired.StatusCode);
        Assert.Contains("expired", await expired.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Cost_reports_charge_the_owner_once_and_project_costs_sum_them_per_deployment_with_a_chart()
    {
        var owner = await Get<UserDirectory>().ResolveAsync("directline", "cost-owner", "Cost Owner", null, ["user", "partner"]);
        await Get<DeploymentRepository>().CreateAsync(new Deployment
        {
            Id = "d-costs", PartnerId = owner.Id, CreatedBy = owner.Id, Module = new ModuleReference("Network", "platform"),
            State = DeploymentState.Success, Cost = 10, Charged = true, CreatedAt = _clock.GetUtcNow(), UpdatedAt = _clock.GetUtcNow(),
        });
        var admin = await Get<ApiKeyStore>().CreateAsync("u-admin", admin: true, "runner", null);
        var partner = await Get<ApiKeyStore>().CreateAsync(owner.Id, admin: false, "partner", null);

        async Task<HttpResponseMessage> ReportAsync(string key, object body)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "api/costs") { Content = JsonContent.Create(body) };
            request.Headers.Add("X-Api-Key", key);
            return await _host.Client.SendAsync(request);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await _host.Client.PostAsJsonAsync("api/costs", new { deploymentId = "d-costs" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await ReportAsync(partner.Key, new { deploymentId = "d-costs", reportId = "r", credits = 1 })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await ReportAsync(admin.Key, new { deploymentId = "d-costs", reportId = "", credits = -1 })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await ReportAsync(admin.Key, new { deploymentId = "d-none", reportId = "r", credits = 1 })).StatusCode);

        for (var i = 0; i < 3; i++)
            Assert.Equal(HttpStatusCode.OK, (await ReportAsync(admin.Key, new { deploymentId = "d-costs", reportId = "2026-10-15", credits = 4 })).StatusCode);
        _clock.Advance(TimeSpan.FromDays(20)); // 2026-11-04
        Assert.Equal(HttpStatusCode.OK, (await ReportAsync(admin.Key, new { deploymentId = "d-costs", reportId = "2026-11-04", credits = 6 })).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await ReportAsync(admin.Key, new { deploymentId = "d-costs", reportId = "huge", credits = 5000 })).StatusCode);

        Assert.Equal(90, (await Get<ICreditLedger>().GetBalanceAsync(owner.Id)).Total);
        var cost = Assert.Single(await Get<BillingReports>().ProjectCostsAsync(owner.Id, _clock.GetUtcNow(), CancellationToken.None));
        Assert.Equal(new ProjectCost("d-costs", "Network (d-costs)", 6, 4), cost);

        foreach (var (theme, background) in new[] { ("light", 0xFFFFFFu), ("dark", 0x1E1E1Eu) })
        {
            var png = await _host.Client.GetByteArrayAsync(await LinkAsync(owner.Id, BillingRoutes.CostChartPng, new() { ["theme"] = theme }));
            var (width, height, pixels) = DecodePng(png);
            Assert.Equal((600, 240), (width, height));
            Assert.Equal(background, pixels[0]);
            Assert.Contains(pixels, p => p != background);
        }
    }

    [Fact]
    public async Task The_billing_overview_endpoint_names_the_mode_tiers_and_packs_for_the_caller()
    {
        var key = await Get<ApiKeyStore>().CreateAsync("u-api", admin: false, "cli", null);
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/billing");
        request.Headers.Add("X-Api-Key", key.Key);
        var response = await _host.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("Sandbox", (string?)body["mode"]);
        Assert.Equal(["Starter", "Team", "Scale"], body["tiers"]!.AsArray().Select(t => (string?)t!["name"]));
        Assert.Equal([100m, 500m, 1000m], body["packs"]!.AsArray().Select(p => (decimal)p!["credits"]!));
        Assert.Equal(HttpStatusCode.Unauthorized, (await _host.Client.GetAsync("api/billing")).StatusCode);
    }

    /// <summary>Checks the signature, every chunk's CRC, and returns the RGB pixels (filter 0 scanlines, as written).</summary>
    private static (int Width, int Height, uint[] Pixels) DecodePng(byte[] png)
    {
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
        int width = 0, height = 0;
        var idat = new MemoryStream();
        for (var o = 8; o < png.Length;)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(o));
            var type = Encoding.ASCII.GetString(png, o + 4, 4);
            var data = png.AsSpan(o + 8, length);
            var crc = PngChart.Crc32(0xFFFFFFFFu, png.AsSpan(o + 4, 4 + length)) ^ 0xFFFFFFFFu;
            Assert.Equal(BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(o + 8 + length)), crc);
            if (type == "IHDR") { width = BinaryPrimitives.ReadInt32BigEndian(data); height = BinaryPrimitives.ReadInt32BigEndian(data[4..]); }
            if (type == "IDAT") idat.Write(data);
            o += 12 + length;
        }
        idat.Position = 0;
        using var zlib = new ZLibStream(idat, CompressionMode.Decompress);
        using var raw = new MemoryStream();
        zlib.CopyTo(raw);
        var bytes = raw.ToArray();
        Assert.Equal(height * (1 + width * 3), bytes.Length);
        var pixels = new uint[width * height];
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
            {
                var i = y * (1 + width * 3) + 1 + x * 3;
                pixels[y * width + x] = (uint)(bytes[i] << 16 | bytes[i + 1] << 8 | bytes[i + 2]);
            }
        return (width, height, pixels);
    }
}
