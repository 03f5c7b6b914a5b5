using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using NJsonSchema;
using PartnerBot.Bot.Channels.Teams;
using PartnerBot.Bot.Cli;
using PartnerBot.Bot.Conversations;

namespace PartnerBot.Tests.Teams;

public sealed class TeamsAppPackageTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("teams-package-").FullName;

    private string WritePackage(string appId = ChannelIdentityServer.AppId, string baseUrl = "https://bot.example.com:8443/app")
    {
        var target = new FileInfo(Path.Combine(_dir, "out", "partnerbot.zip"));
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["MicrosoftAppId"] = appId, ["PublicBaseUrl"] = baseUrl,
        }).Build();
        Assert.Equal(0, TeamsCommands.WritePackage(target, configuration));
        return target.FullName;
    }

    [Fact]
    public async Task The_manifest_validates_against_the_v1_22_schema()
    {
        using var zip = ZipFile.OpenRead(WritePackage());
        var manifestText = ReadEntry(zip, "manifest.json");
        var schema = await JsonSchema.FromFileAsync(Path.Combine(AppContext.BaseDirectory, "TestData", "Teams", "MicrosoftTeams.schema.v1.22.json"));

        var errors = schema.Validate(manifestText);

        Assert.Empty(errors.Select(e => e.ToString()));
        var manifest = JsonNode.Parse(manifestText)!;
        Assert.Equal("1.22", manifest["manifestVersion"]!.GetValue<string>());
        Assert.Equal(ChannelIdentityServer.AppId, manifest["id"]!.GetValue<string>());
        var bot = manifest["bots"]![0]!;
        Assert.Equal(ChannelIdentityServer.AppId, bot["botId"]!.GetValue<string>());
        Assert.Equal(["personal", "team", "groupChat"], bot["scopes"]!.AsArray().Select(s => s!.GetValue<string>()));
        var commands = bot["commandLists"]![0]!["commands"]!.AsArray().Select(c => c!["title"]!.GetValue<string>()).ToArray();
        // The command menu is the route table's: the main menu's commands, then help.
        Assert.Equal(["deploy", "deployments", "publish", "github", "billing", "guides", "support", "theme", "help"], commands);
        Assert.Equal(ChatRouteTable.Product().Suggested.Select(c => c.Name), commands);
        Assert.Equal("bot.example.com", Assert.Single(manifest["validDomains"]!.AsArray())!.GetValue<string>());
    }

    [Fact]
    public async Task A_manifest_breaking_the_schema_is_caught_by_the_same_validation()
    {
        var manifest = TeamsAppPackage.BuildManifest(ChannelIdentityServer.AppId, "https://bot.example.com", ChatRouteTable.Product());
        manifest["accentColor"] = "blue";
        manifest.Remove("developer");
        var schema = await JsonSchema.FromFileAsync(Path.Combine(AppContext.BaseDirectory, "TestData", "Teams", "MicrosoftTeams.schema.v1.22.json"));

        Assert.NotEmpty(schema.Validate(manifest.ToJsonString()));
    }

    [Fact]
    public void The_icons_are_pngs_of_the_required_sizes_with_files_at_the_zip_root()
    {
        using var zip = ZipFile.OpenRead(WritePackage());

        Assert.Equal(["color.png", "manifest.json", "outline.png"], zip.Entries.Select(e => e.FullName).Order());
        var color = ReadBytes(zip, "color.png");
        var outline = ReadBytes(zip, "outline.png");
        Assert.Equal((192, 192, 8, 6), Header(color));
        Assert.Equal((32, 32, 8, 6), Header(outline));
        AssertChunksHaveValidCrc(color);
        AssertChunksHaveValidCrc(outline);
    }

    [Fact]
    public void The_outline_icon_is_white_on_transparent()
    {
        var pixels = Decode(TeamsAppIcons.Outline(), 32);
        Assert.Equal(0, pixels[3]); // the corner is transparent
        var visible = Enumerable.Range(0, 32 * 32).Where(i => pixels[i * 4 + 3] > 0).ToList();
        Assert.NotEmpty(visible);
        Assert.All(visible, i => Assert.Equal((255, 255, 255), (pixels[i * 4], pixels[i * 4 + 1], pixels[i * 4 + 2])));
    }

    [Fact]
    public async Task The_teams_package_command_writes_the_package_from_the_configured_app_id()
    {
        var target = Path.Combine(_dir, "cli", "app.zip");
        var start = new System.Diagnostics.ProcessStartInfo("dotnet")
        {
            ArgumentList = { Path.Combine(AppContext.BaseDirectory, "partnerbot.dll"), "teams", "package", "--out", target },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _dir,
        };
        start.Environment["MicrosoftAppId"] = ChannelIdentityServer.AppId;
        start.Environment["PublicBaseUrl"] = "https://partners.example.com";
        using var process = System.Diagnostics.Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var errors = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));

        Assert.True(process.ExitCode == 0, output + errors);
        using var zip = ZipFile.OpenRead(target);
        var manifest = JsonNode.Parse(ReadEntry(zip, "manifest.json"))!;
        Assert.Equal(ChannelIdentityServer.AppId, manifest["bots"]![0]!["botId"]!.GetValue<string>());
        Assert.Equal("partners.example.com", manifest["validDomains"]![0]!.GetValue<string>());
    }

    [Fact]
    public void Crc32_matches_the_standard_check_value() =>
        Assert.Equal(0xCBF43926u, Crc32.Compute("123456789"u8));

    [Fact]
    public void A_missing_or_non_guid_app_id_is_a_clear_error()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["MicrosoftAppId"] = "not-a-guid", ["PublicBaseUrl"] = "https://bot.example.com",
        }).Build();
        var error = new StringWriter();
        var original = Console.Error;
        Console.SetError(error);
        try
        {
            Assert.Equal(2, TeamsCommands.WritePackage(new FileInfo(Path.Combine(_dir, "x.zip")), configuration));
        }
        finally
        {
            Console.SetError(original);
        }
        Assert.Contains("MicrosoftAppId", error.ToString());
        Assert.False(File.Exists(Path.Combine(_dir, "x.zip")));
    }

    private static (int Width, int Height, int Depth, int ColorType) Header(byte[] png)
    {
        Assert.Equal(new byte[] { 137, 80, 78, 71, 13, 10, 26, 10 }, png[..8]);
        Assert.Equal("IHDR", Encoding.ASCII.GetString(png, 12, 4));
        return (BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)), png[24], png[25]);
    }

    private static void AssertChunksHaveValidCrc(byte[] png)
    {
        var offset = 8;
        while (offset < png.Length)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(offset));
            var typeAndData = png.AsSpan(offset + 4, 4 + length);
            Assert.Equal(BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(offset + 8 + length)), Crc32.Compute(typeAndData));
            offset += 12 + length;
        }
        Assert.Equal(png.Length, offset);
    }

    private static byte[] Decode(byte[] png, int size)
    {
        using var idat = new MemoryStream();
        for (var offset = 8; offset < png.Length;)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(offset));
            if (Encoding.ASCII.GetString(png, offset + 4, 4) == "IDAT") idat.Write(png, offset + 8, length);
            offset += 12 + length;
        }
        idat.Position = 0;
        using var zlib = new ZLibStream(idat, CompressionMode.Decompress);
        using var raw = new MemoryStream();
        zlib.CopyTo(raw);
        var rows = raw.ToArray();
        var pixels = new byte[size * size * 4];
        for (var y = 0; y < size; y++)
        {
            Assert.Equal(0, rows[y * (size * 4 + 1)]); // filter None
            Array.Copy(rows, y * (size * 4 + 1) + 1, pixels, y * size * 4, size * 4);
        }
        return pixels;
    }

    private static string ReadEntry(ZipArchive zip, string name) => Encoding.UTF8.GetString(ReadBytes(zip, name));

    private static byte[] ReadBytes(ZipArchive zip, string name)
    {
        using var stream = zip.GetEntry(name)!.Open();
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
