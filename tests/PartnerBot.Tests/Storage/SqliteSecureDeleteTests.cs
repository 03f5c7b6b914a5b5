using System.Text.Json.Nodes;
using PartnerBot.Api.Storage.Sqlite;
using PartnerBot.Tests.Infrastructure;

namespace PartnerBot.Tests.Storage;

/// <summary>A deleted document leaves nothing readable behind in the SQLite file's free space.</summary>
public sealed class SqliteSecureDeleteTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("partnerbot-secure-delete-");

    public void Dispose()
    {
        try { _folder.Delete(recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    [Fact]
    public async Task A_deleted_document_is_not_in_the_file_after_the_log_is_checkpointed()
    {
        var path = Path.Combine(_folder.FullName, "store.db");
        var secret = "deleted-secret-" + Guid.NewGuid().ToString("N");
        using (var store = new SqliteDocumentStore(path))
        {
            await store.CreateAsync("slackInbox", "inbox", "item-1", new JsonObject { ["payload"] = secret });
            await store.CreateAsync("slackInbox", "inbox", "item-2", new JsonObject { ["payload"] = "kept-" + secret });
        }
        // Closed: the log was checkpointed into the file, which now holds the value.
        RawDatabaseBytes.Read(path).AssertHolds(secret);

        using (var store = new SqliteDocumentStore(path))
            await store.DeleteAsync("slackInbox", "inbox", "item-1");

        var bytes = RawDatabaseBytes.Read(path);
        bytes.AssertHolds("kept-" + secret);
        Assert.Empty(bytes.FilesHolding("\"" + secret));
    }
}
