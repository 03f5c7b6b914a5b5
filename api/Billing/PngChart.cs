using System.Buffers.Binary;
using System.IO.Compression;

namespace PartnerBot.Api.Billing;

/// <summary>
/// Draws a bar chart of daily credits into an RGB pixel buffer and encodes it as PNG (8-bit truecolor, zlib-compressed
/// scanlines with filter 0, CRC32 per chunk). No native graphics library is needed.
/// </summary>
public static class PngChart
{
    public const int Width = 600;
    public const int Height = 240;

    private sealed record Palette(uint Background, uint Axis, uint Grid, uint Bar, uint Today);

    private static readonly Palette Light = new(0xFFFFFF, 0x444444, 0xE5E5E5, 0x2B6CB0, 0xDD6B20);
    private static readonly Palette Dark = new(0x1E1E1E, 0xCCCCCC, 0x3A3A3A, 0x63B3ED, 0xF6AD55);

    public static byte[] DailyBars(IReadOnlyList<decimal> values, bool dark)
    {
        var palette = dark ? Dark : Light;
        var pixels = new uint[Width * Height];
        Array.Fill(pixels, palette.Background);
        const int left = 40, right = 10, top = 12, bottom = 24;
        var plotWidth = Width - left - right;
        var plotHeight = Height - top - bottom;
        var max = values.Count == 0 ? 0 : values.Max();
        var scale = max <= 0 ? 1 : max;

        for (var g = 1; g <= 4; g++) FillRect(pixels, left, top + plotHeight - plotHeight * g / 4, plotWidth, 1, palette.Grid);
        FillRect(pixels, left, top, 1, plotHeight + 1, palette.Axis);
        FillRect(pixels, left, top + plotHeight, plotWidth, 1, palette.Axis);

        if (values.Count > 0)
        {
            var slot = plotWidth / (double)values.Count;
            var barWidth = Math.Max(1, (int)(slot * 0.7));
            for (var i = 0; i < values.Count; i++)
            {
                var h = (int)Math.Round((double)(values[i] / scale) * plotHeight);
                if (values[i] > 0 && h == 0) h = 1;
                var x = left + 1 + (int)(i * slot + (slot - barWidth) / 2);
                FillRect(pixels, x, top + plotHeight - h, barWidth, h, i == values.Count - 1 ? palette.Today : palette.Bar);
                // Week ticks under the axis.
                if (i % 7 == 0) FillRect(pixels, x + barWidth / 2, top + plotHeight + 1, 1, 5, palette.Axis);
            }
        }
        return Encode(pixels, Width, Height);
    }

    private static void FillRect(uint[] pixels, int x, int y, int w, int h, uint color)
    {
        for (var row = Math.Max(0, y); row < Math.Min(Height, y + h); row++)
            for (var col = Math.Max(0, x); col < Math.Min(Width, x + w); col++)
                pixels[row * Width + col] = color;
    }

    public static byte[] Encode(uint[] rgb, int width, int height)
    {
        var raw = new byte[height * (1 + width * 3)];
        for (var y = 0; y < height; y++)
        {
            var o = y * (1 + width * 3);
            raw[o] = 0; // filter: none
            for (var x = 0; x < width; x++)
            {
                var c = rgb[y * width + x];
                raw[o + 1 + x * 3] = (byte)(c >> 16);
                raw[o + 2 + x * 3] = (byte)(c >> 8);
                raw[o + 3 + x * 3] = (byte)c;
            }
        }
        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true)) zlib.Write(raw);

        using var png = new MemoryStream();
        png.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8;  // bit depth
        header[9] = 2;  // truecolor
        WriteChunk(png, "IHDR", header);
        WriteChunk(png, "IDAT", compressed.ToArray());
        WriteChunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void WriteChunk(Stream output, string type, byte[] data)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        output.Write(length);
        var typeBytes = System.Text.Encoding.ASCII.GetBytes(type);
        output.Write(typeBytes);
        output.Write(data);
        Span<byte> crcBytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crcBytes, Crc32(Crc32(0xFFFFFFFFu, typeBytes), data) ^ 0xFFFFFFFFu);
        output.Write(crcBytes);
    }

    private static readonly uint[] CrcTable = Enumerable.Range(0, 256).Select(n =>
    {
        var c = (uint)n;
        for (var k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        return c;
    }).ToArray();

    /// <summary>The PNG (ISO 3309) CRC-32 register after <paramref name="data"/>; start with all ones, finish by inverting.</summary>
    public static uint Crc32(uint crc, ReadOnlySpan<byte> data)
    {
        foreach (var b in data) crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return crc;
    }
}
