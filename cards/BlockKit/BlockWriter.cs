using System.Buffers;
using System.Text.Json;
using PartnerBot.Api.Json;

namespace PartnerBot.Cards.BlockKit;

/// <summary>
/// Writes a message's blocks straight to UTF-8 JSON, as arrays of at most <see cref="BlockKitLimits.MessageBlocks"/>
/// blocks: one array per Slack message. Each block starts with <see cref="Next"/>.
/// </summary>
internal sealed class BlockWriter : IDisposable
{
    private readonly List<(byte[] Json, int Count)> _arrays = [];
    private readonly ArrayBufferWriter<byte> _buffer = ScratchBuffer.Rent();
    private readonly Utf8JsonWriter _json;
    private int _inArray;

    public BlockWriter() => _json = new Utf8JsonWriter(_buffer, CardJson.WriterOptions);

    /// <summary>Blocks written so far, across all arrays.</summary>
    public int Count { get; private set; }

    /// <summary>The writer, positioned where the next block's object goes.</summary>
    public Utf8JsonWriter Next()
    {
        if (_inArray == BlockKitLimits.MessageBlocks) EndArray();
        if (_inArray == 0) _json.WriteStartArray();
        _inArray++;
        Count++;
        return _json;
    }

    /// <summary>The arrays written, in order, each with its number of blocks.</summary>
    public IReadOnlyList<(byte[] Json, int Count)> Finish()
    {
        if (_inArray > 0) EndArray();
        return _arrays;
    }

    private void EndArray()
    {
        _json.WriteEndArray();
        _json.Flush();
        _arrays.Add((_buffer.WrittenSpan.ToArray(), _inArray));
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
