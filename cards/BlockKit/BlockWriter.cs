using System.Buffers;
using System.Text.Json;
using PartnerBot.Api.Json;

namespace PartnerBot.Cards.BlockKit;

/// <summary>
/// Writes a message's blocks straight to UTF-8 JSON, as arrays of at most <see cref="BlockKitLimits.MessageBlocks"/>
/// blocks: one array per Slack message. Each block starts with <see cref="Begin"/> and ends with the writer's
/// <c>WriteEndObject</c>.
/// </summary>
internal sealed class BlockWriter : IDisposable
{
    private readonly List<byte[]> _arrays = [];
    private readonly ArrayBufferWriter<byte> _buffer = ScratchBuffer.Rent();
    private readonly Utf8JsonWriter _json;
    private int _inArray;

    public BlockWriter() => _json = new Utf8JsonWriter(_buffer, CardJson.WriterOptions);

    /// <summary>Blocks written so far, across all arrays.</summary>
    public int Count { get; private set; }

    /// <summary>Starts the next block's object with its <c>type</c>; the caller writes the rest and ends the object.</summary>
    public Utf8JsonWriter Begin(JsonEncodedText type)
    {
        if (_inArray == BlockKitLimits.MessageBlocks) EndArray();
        if (_inArray == 0) _json.WriteStartArray();
        _inArray++;
        Count++;
        _json.WriteStartObject();
        _json.WriteString(TypeName, type);
        return _json;
    }

    private static readonly JsonEncodedText TypeName = JsonEncodedText.Encode("type");

    /// <summary>The arrays written, in order.</summary>
    public IReadOnlyList<byte[]> Finish()
    {
        if (_inArray > 0) EndArray();
        return _arrays;
    }

    private void EndArray()
    {
        _json.WriteEndArray();
        _json.Flush();
        _arrays.Add(_buffer.WrittenSpan.ToArray());
        _buffer.ResetWrittenCount();
        _json.Reset();
        _inArray = 0;
    }

    public void Dispose()
    {
        _json.Dispose();
        ScratchBuffer.Return(_buffer);
    }
}
