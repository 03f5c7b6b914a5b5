using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace PartnerBot.Bot.Channels.Teams;

/// <summary>A minimal PNG writer: 8-bit RGBA, no interlacing, one zlib-compressed IDAT chunk.</summary>
public static class PngEncoder
{
    private static readonly byte[] Signature = [137, 80, 78, 71, 13, 10, 26, 10];

    /// <param name="rgba">Width × height pixels, 4 bytes each (R, G, B, A), row by row.</param>
    public static byte[] Encode(int width, int height, ReadOnlySpan<byte> rgba)
    {
        if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width), "The image must have pixels.");
        if (rgba.Length != width * height * 4) throw new ArgumentException("Pixel data does not match the size.", nameof(rgba));

        using var png = new MemoryStream();
        png.Write(Signature);

        Span<byte> header = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header[4..], height);
        header[8] = 8;  // bit depth
        header[9] = 6;  // colour type: truecolour with alpha
        header[10] = 0; // deflate
        header[11] = 0; // adaptive filtering
        header[12] = 0; // no interlace
        WriteChunk(png, "IHDR", header);

        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            var stride = width * 4;
            for (var y = 0; y < height; y++)
            {
                zlib.WriteByte(0); // filter type None
                zlib.Write(rgba.Slice(y * stride, stride));
            }
        }
        WriteChunk(png, "IDAT", compressed.ToArray());
        WriteChunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void WriteChunk(Stream output, string type, ReadOnlySpan<byte> data)
    {
        Span<byte> buffer = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(buffer, data.Length);
        output.Write(buffer);
        var typeBytes = Encoding.ASCII.GetBytes(type);
        output.Write(typeBytes);
        output.Write(data);
        var crc = Crc32.Append(Crc32.Append(Crc32.Initial, typeBytes), data);
        BinaryPrimitives.WriteUInt32BigEndian(buffer, Crc32.Finish(crc));
        output.Write(buffer);
    }
}

/// <summary>CRC-32 (ISO-HDLC, polynomial 0xEDB88320), as PNG chunks need.</summary>
public static class Crc32
{
    public const uint Initial = 0xFFFFFFFF;
    private static readonly uint[] Table = BuildTable();

    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        foreach (var b in data) crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return crc;
    }

    public static uint Finish(uint crc) => crc ^ 0xFFFFFFFF;

    public static uint Compute(ReadOnlySpan<byte> data) => Finish(Append(Initial, data));

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            var c = n;
            for (var k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
            table[n] = c;
        }
        return table;
    }
}
