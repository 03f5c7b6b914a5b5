using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace PartnerBot.Api.Storage;

/// <summary>
/// Typed access to <see cref="IDocumentStore"/> through <see cref="StorageJson.Options"/> (or a source-generated
/// <see cref="JsonTypeInfo{T}"/>). A record's <c>Id</c> property maps to the document id.
/// </summary>
public static class DocumentStoreTypedExtensions
{
    public static Task<Stored<T>?> ReadAsync<T>(this IDocumentStore store, string container, string partitionKey, string id,
        CancellationToken ct = default) => store.ReadAsync(container, partitionKey, id, StorageJson.TypeInfo<T>(), ct);

    public static async Task<Stored<T>?> ReadAsync<T>(this IDocumentStore store, string container, string partitionKey, string id,
        JsonTypeInfo<T> typeInfo, CancellationToken ct = default)
    {
        var document = await store.ReadAsync(container, partitionKey, id, ct);
        return document is null ? null : document.As(typeInfo);
    }

    public static Task<Stored<T>> CreateAsync<T>(this IDocumentStore store, string container, string partitionKey, string id, T value,
        DocumentOptions? options = null, CancellationToken ct = default) =>
        store.CreateAsync(container, partitionKey, id, value, StorageJson.TypeInfo<T>(), options, ct);

    public static async Task<Stored<T>> CreateAsync<T>(this IDocumentStore store, string container, string partitionKey, string id, T value,
        JsonTypeInfo<T> typeInfo, DocumentOptions? options = null, CancellationToken ct = default) =>
        (await store.CreateTypedAsync(container, partitionKey, id, value, typeInfo, options, ct)).As(typeInfo);

    public static Task<Stored<T>> UpsertAsync<T>(this IDocumentStore store, string container, string partitionKey, string id, T value,
        DocumentOptions? options = null, CancellationToken ct = default) =>
        store.UpsertAsync(container, partitionKey, id, value, StorageJson.TypeInfo<T>(), options, ct);

    public static async Task<Stored<T>> UpsertAsync<T>(this IDocumentStore store, string container, string partitionKey, string id, T value,
        JsonTypeInfo<T> typeInfo, DocumentOptions? options = null, CancellationToken ct = default) =>
        (await store.UpsertAsync(container, partitionKey, id, StorageJson.ToObject(value, typeInfo), options, ct)).As(typeInfo);

    public static Task<Stored<T>> ReplaceAsync<T>(this IDocumentStore store, string container, string partitionKey, string id, T value,
        string ifMatch, DocumentOptions? options = null, CancellationToken ct = default) =>
        store.ReplaceAsync(container, partitionKey, id, value, ifMatch, StorageJson.TypeInfo<T>(), options, ct);

    public static async Task<Stored<T>> ReplaceAsync<T>(this IDocumentStore store, string container, string partitionKey, string id, T value,
        string ifMatch, JsonTypeInfo<T> typeInfo, DocumentOptions? options = null, CancellationToken ct = default) =>
        (await store.ReplaceTypedAsync(container, partitionKey, id, value, typeInfo, ifMatch, options, ct)).As(typeInfo);

    public static Task<StoredPage<T>> QueryAsync<T>(this IDocumentStore store, string container, string? partitionKey, DocumentQuery query,
        CancellationToken ct = default) => store.QueryAsync(container, partitionKey, query, StorageJson.TypeInfo<T>(), ct);

    public static async Task<StoredPage<T>> QueryAsync<T>(this IDocumentStore store, string container, string? partitionKey, DocumentQuery query,
        JsonTypeInfo<T> typeInfo, CancellationToken ct = default)
    {
        var page = await store.QueryAsync(container, partitionKey, query, ct);
        return new StoredPage<T>(page.Items.Select(d => d.As(typeInfo)).ToList(), page.ContinuationToken);
    }

    /// <summary>Every item of a query, page after page (for bounded result sets: admin views, exports).</summary>
    public static async IAsyncEnumerable<Stored<T>> QueryAllAsync<T>(this IDocumentStore store, string container, string? partitionKey,
        DocumentQuery query, JsonTypeInfo<T>? typeInfo = null, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        typeInfo ??= StorageJson.TypeInfo<T>();
        var next = query;
        while (true)
        {
            var page = await store.QueryAsync(container, partitionKey, next, typeInfo, ct);
            foreach (var item in page.Items) yield return item;
            if (page.ContinuationToken is null) yield break;
            next = next with { ContinuationToken = page.ContinuationToken };
        }
    }

    /// <summary>
    /// Optimistic update: read, apply <paramref name="mutate"/>, replace if the ETag still matches; on a concurrent
    /// change, re-read and try again (at most <paramref name="maxAttempts"/> times, with a short jittered pause).
    /// <paramref name="mutate"/> may run several times, so it must be a pure function of its input; returning null
    /// leaves the document as it is. Throws <see cref="StorageErrorKind.NotFound"/> when the document does not exist
    /// and <see cref="StorageErrorKind.PreconditionFailed"/> when every attempt lost the race.
    /// </summary>
    public static Task<Stored<T>> UpdateAsync<T>(this IDocumentStore store, string container, string partitionKey, string id,
        Func<T, T?> mutate, int maxAttempts = 10, CancellationToken ct = default) where T : class =>
        store.UpdateAsync(container, partitionKey, id, mutate, StorageJson.TypeInfo<T>(), maxAttempts, ct);

    public static async Task<Stored<T>> UpdateAsync<T>(this IDocumentStore store, string container, string partitionKey, string id,
        Func<T, T?> mutate, JsonTypeInfo<T> typeInfo, int maxAttempts = 10, CancellationToken ct = default) where T : class
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxAttempts, 1);
        for (var attempt = 1; ; attempt++)
        {
            var current = await store.ReadAsync(container, partitionKey, id, typeInfo, ct)
                ?? throw new StorageException(StorageErrorKind.NotFound, $"Document '{id}' does not exist in {container}/{partitionKey}.");
            var updated = mutate(current.Value);
            if (updated is null) return current;
            try
            {
                return await store.ReplaceAsync(container, partitionKey, id, updated, current.ETag, typeInfo, null, ct);
            }
            catch (StorageException e) when (e.Kind == StorageErrorKind.PreconditionFailed && attempt < maxAttempts)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 5 * attempt)), ct);
            }
        }
    }

    /// <summary>Converts a stored document to its typed form.</summary>
    public static Stored<T> As<T>(this StoredDocument document, JsonTypeInfo<T> typeInfo)
    {
        var value = document.Deserialize(typeInfo)
            ?? throw new JsonException($"Document '{document.Id}' in {document.Container} deserialized to null.");
        return new Stored<T>(document.PartitionKey, document.Id, value, document.ETag);
    }

    public static Stored<T> As<T>(this StoredDocument document) => document.As(StorageJson.TypeInfo<T>());
}
