using System.Buffers.Binary;
using System.Text;

namespace PartnerBot.Tests.Telemetry;

/// <summary>One span as an OTLP receiver got it: ids in lowercase hex, attributes (span and event ones) as text.</summary>
public sealed record ReceivedSpan(
    string TraceId,
    string SpanId,
    string? ParentSpanId,
    string Name,
    int Kind,
    string Scope,
    IReadOnlyDictionary<string, string> Attributes,
    IReadOnlyList<(string Name, IReadOnlyDictionary<string, string> Attributes)> Events)
{
    public const int KindServer = 2;

    public string? Tag(string key) => Attributes.TryGetValue(key, out var value) ? value : null;

    /// <summary>Every attribute value of the span and of its events.</summary>
    public IEnumerable<string> AllValues => Attributes.Values.Concat(Events.SelectMany(e => e.Attributes.Values)).Append(Name);
}

/// <summary>
/// Reads an OTLP <c>ExportTraceServiceRequest</c> (opentelemetry/proto/collector/trace/v1) from the protobuf wire format,
/// field numbers as in the OpenTelemetry proto files: ResourceSpans(1) → ScopeSpans(2) → Span(2); Span: trace_id 1,
/// span_id 2, parent_span_id 4, name 5, kind 6, attributes 9, events 11; KeyValue: key 1, value 2; AnyValue: string 1,
/// bool 2, int 3, double 4, array 5, kvlist 6, bytes 7. Unknown fields are skipped by their wire type.
/// </summary>
public static class OtlpTraceDecoder
{
    public static IReadOnlyList<ReceivedSpan> Decode(byte[] request)
    {
        var spans = new List<ReceivedSpan>();
        foreach (var (field, resourceSpans) in Fields(request))
        {
            if (field != 1) continue;
            foreach (var (inner, scopeSpans) in Fields(resourceSpans.Bytes))
            {
                if (inner != 2) continue;
                var scope = "";
                var scopeSpanList = new List<byte[]>();
                foreach (var (f, value) in Fields(scopeSpans.Bytes))
                {
                    if (f == 1) scope = Fields(value.Bytes).Where(x => x.Field == 1).Select(x => x.Value.Text).FirstOrDefault() ?? "";
                    if (f == 2) scopeSpanList.Add(value.Bytes);
                }
                spans.AddRange(scopeSpanList.Select(s => Span(s, scope)));
            }
        }
        return spans;
    }

    private static ReceivedSpan Span(byte[] span, string scope)
    {
        string traceId = "", spanId = "", name = "";
        string? parent = null;
        var kind = 0;
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        var events = new List<(string, IReadOnlyDictionary<string, string>)>();
        foreach (var (field, value) in Fields(span))
        {
            switch (field)
            {
                case 1: traceId = Convert.ToHexStringLower(value.Bytes); break;
                case 2: spanId = Convert.ToHexStringLower(value.Bytes); break;
                case 4: parent = value.Bytes.Length == 0 ? null : Convert.ToHexStringLower(value.Bytes); break;
                case 5: name = value.Text; break;
                case 6: kind = (int)value.Number; break;
                case 9: Attribute(value.Bytes, attributes); break;
                case 11: events.Add(Event(value.Bytes)); break;
            }
        }
        if (traceId.Length != 32 || spanId.Length != 16) throw new FormatException("A span without a 16-byte trace id and an 8-byte span id.");
        return new ReceivedSpan(traceId, spanId, parent, name, kind, scope, attributes, events);
    }

    private static (string, IReadOnlyDictionary<string, string>) Event(byte[] @event)
    {
        var name = "";
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (field, value) in Fields(@event))
        {
            if (field == 2) name = value.Text;
            if (field == 3) Attribute(value.Bytes, attributes);
        }
        return (name, attributes);
    }

    private static void Attribute(byte[] keyValue, Dictionary<string, string> into)
    {
        var key = "";
        var text = "";
        foreach (var (field, value) in Fields(keyValue))
        {
            if (field == 1) key = value.Text;
            if (field == 2) text = AnyValue(value.Bytes);
        }
        into[key] = text;
    }

    private static string AnyValue(byte[] any)
    {
        foreach (var (field, value) in Fields(any))
        {
            switch (field)
            {
                case 1: return value.Text;
                case 2: return value.Number != 0 ? "true" : "false";
                case 3: return ((long)value.Number).ToString(System.Globalization.CultureInfo.InvariantCulture);
                case 4: return BitConverter.Int64BitsToDouble((long)value.Number).ToString(System.Globalization.CultureInfo.InvariantCulture);
                case 5: return "[" + string.Join(",", Fields(value.Bytes).Where(x => x.Field == 1).Select(x => AnyValue(x.Value.Bytes))) + "]";
                case 6:
                    var pairs = new Dictionary<string, string>(StringComparer.Ordinal);
                    foreach (var (f, kv) in Fields(value.Bytes)) if (f == 1) Attribute(kv.Bytes, pairs);
                    return "{" + string.Join(",", pairs.Select(p => p.Key + "=" + p.Value)) + "}";
                case 7: return Convert.ToBase64String(value.Bytes);
            }
        }
        return "";
    }

    /// <summary>A field's value: the varint or fixed number, or the bytes of a length-delimited field.</summary>
    private readonly record struct WireValue(ulong Number, byte[] Bytes)
    {
        public string Text => Encoding.UTF8.GetString(Bytes);
    }

    private static List<(int Field, WireValue Value)> Fields(byte[] message)
    {
        var fields = new List<(int, WireValue)>();
        var position = 0;
        while (position < message.Length)
        {
            var tag = ReadVarint(message, ref position);
            var field = (int)(tag >> 3);
            if (field == 0) throw new FormatException("Field number 0.");
            switch ((int)(tag & 7))
            {
                case 0:
                    fields.Add((field, new WireValue(ReadVarint(message, ref position), [])));
                    break;
                case 1:
                    Need(message, position, 8);
                    fields.Add((field, new WireValue(BinaryPrimitives.ReadUInt64LittleEndian(message.AsSpan(position, 8)), [])));
                    position += 8;
                    break;
                case 2:
                    var length = (int)ReadVarint(message, ref position);
                    Need(message, position, length);
                    fields.Add((field, new WireValue(0, message.AsSpan(position, length).ToArray())));
                    position += length;
                    break;
                case 5:
                    Need(message, position, 4);
                    fields.Add((field, new WireValue(BinaryPrimitives.ReadUInt32LittleEndian(message.AsSpan(position, 4)), [])));
                    position += 4;
                    break;
                default:
                    throw new FormatException($"Wire type {tag & 7} is not used by OTLP.");
            }
        }
        return fields;
    }

    private static ulong ReadVarint(byte[] message, ref int position)
    {
        ulong result = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            Need(message, position, 1);
            var b = message[position++];
            result |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return result;
        }
        throw new FormatException("A varint longer than 10 bytes.");
    }

    private static void Need(byte[] message, int position, int count)
    {
        if (count < 0 || position + count > message.Length) throw new FormatException("A field runs past the end of the message.");
    }
}
