using System.Text.Json.Nodes;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;
using PartnerBot.Api.Storage;

namespace PartnerBot.Api.Protection;

/// <summary>
/// The Data Protection key ring kept in the document store (container <c>dataprotection</c>, one partition), so every
/// instance shares the keys and secrets protected before a restart (GitHub tokens, Direct Line tokens) stay readable.
/// Data Protection calls this rarely (start-up, key roll-over) and synchronously, hence the blocking waits.
/// </summary>
public sealed class DocumentStoreXmlRepository(IDocumentStore store) : IXmlRepository
{
    public const string Container = "dataprotection";
    private const string Partition = "keys";

    public IReadOnlyCollection<XElement> GetAllElements() => Task.Run(async () =>
    {
        var elements = new List<XElement>();
        var query = new DocumentQuery { PageSize = 200 };
        while (true)
        {
            var page = await store.QueryAsync(Container, Partition, query);
            elements.AddRange(page.Items.Select(d => XElement.Parse((string)d.Body["xml"]!)));
            if (page.ContinuationToken is null) return elements;
            query = query with { ContinuationToken = page.ContinuationToken };
        }
    }).GetAwaiter().GetResult();

    public void StoreElement(XElement element, string friendlyName)
    {
        var id = string.IsNullOrWhiteSpace(friendlyName) || friendlyName.Any(c => c is '/' or '\\' or '?' or '#')
            ? Guid.NewGuid().ToString("N")
            : friendlyName;
        var body = new JsonObject { ["xml"] = element.ToString(SaveOptions.DisableFormatting) };
        Task.Run(() => store.UpsertAsync(Container, Partition, id, body)).GetAwaiter().GetResult();
    }
}
