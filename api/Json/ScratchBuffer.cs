using System.Buffers;

namespace PartnerBot.Api.Json;

/// <summary>
/// One reusable UTF-8 buffer per thread, for JSON that is written and copied out in one synchronous step (never across
/// an await): a request body or a stored document is then written without growing a new buffer each time, and the
/// only allocation left is its exact-size copy.
/// </summary>
public static class ScratchBuffer
{
    private const int InitialCapacity = 16 * 1024;
    // A buffer grown past this by one large document is let go, so a thread does not hold on to it.
    private const int KeptCapacity = 256 * 1024;

    // Two per thread: a body being written may need a second one inside it (a button's value inside a message).
    [ThreadStatic] private static ArrayBufferWriter<byte>? t_first;
    [ThreadStatic] private static ArrayBufferWriter<byte>? t_second;

    /// <summary>An empty buffer: one the thread kept, or a new one when both are rented.</summary>
    public static ArrayBufferWriter<byte> Rent()
    {
        var buffer = t_first;
        if (buffer is not null) t_first = null;
        else if ((buffer = t_second) is not null) t_second = null;
        else buffer = new ArrayBufferWriter<byte>(InitialCapacity);
        buffer.ResetWrittenCount();
        return buffer;
    }

    /// <summary>Gives the buffer back once its bytes are copied out; it must not be used afterwards.</summary>
    public static void Return(ArrayBufferWriter<byte> buffer)
    {
        if (buffer.Capacity > KeptCapacity) return;
        buffer.ResetWrittenCount();
        if (t_first is null) t_first = buffer;
        else if (t_second is null && !ReferenceEquals(t_first, buffer)) t_second = buffer;
    }
}
