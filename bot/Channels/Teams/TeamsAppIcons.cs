namespace PartnerBot.Bot.Channels.Teams;

/// <summary>
/// The app icons, drawn in code: a 192×192 colour icon (accent-coloured rounded square with a white ring and an
/// upward chevron) and a 32×32 outline icon (the same ring and chevron in white on a transparent background).
/// </summary>
public static class TeamsAppIcons
{
    public const int ColorSize = 192;
    public const int OutlineSize = 32;

    public static byte[] Color(byte r, byte g, byte b)
    {
        const int n = ColorSize;
        var pixels = new byte[n * n * 4];
        for (var y = 0; y < n; y++)
        for (var x = 0; x < n; x++)
        {
            var inSquare = Coverage(x, y, p => RoundedSquare(p.X, p.Y, n, n * 0.18));
            var mark = Coverage(x, y, p => Mark(p.X, p.Y, n));
            // White mark over the accent square; outside the square is transparent.
            var i = (y * n + x) * 4;
            pixels[i] = Blend(r, 255, mark);
            pixels[i + 1] = Blend(g, 255, mark);
            pixels[i + 2] = Blend(b, 255, mark);
            pixels[i + 3] = (byte)Math.Round(255 * inSquare);
        }
        return PngEncoder.Encode(n, n, pixels);
    }

    public static byte[] Outline()
    {
        const int n = OutlineSize;
        var pixels = new byte[n * n * 4];
        for (var y = 0; y < n; y++)
        for (var x = 0; x < n; x++)
        {
            var mark = Coverage(x, y, p => Mark(p.X, p.Y, n));
            var i = (y * n + x) * 4;
            pixels[i] = pixels[i + 1] = pixels[i + 2] = 255;
            pixels[i + 3] = (byte)Math.Round(255 * mark);
        }
        return PngEncoder.Encode(n, n, pixels);
    }

    private static byte Blend(byte under, byte over, double alpha) => (byte)Math.Round(under + (over - under) * alpha);

    // 4×4 supersampling for smooth edges.
    private static double Coverage(int x, int y, Func<(double X, double Y), bool> inside)
    {
        var hits = 0;
        for (var sy = 0; sy < 4; sy++)
        for (var sx = 0; sx < 4; sx++)
            if (inside((x + (sx + 0.5) / 4, y + (sy + 0.5) / 4))) hits++;
        return hits / 16.0;
    }

    private static bool RoundedSquare(double x, double y, double size, double radius)
    {
        var dx = Math.Max(Math.Max(radius - x, x - (size - radius)), 0);
        var dy = Math.Max(Math.Max(radius - y, y - (size - radius)), 0);
        return dx * dx + dy * dy <= radius * radius;
    }

    // A ring with an upward chevron inside, scaled to the icon size.
    private static bool Mark(double x, double y, double size)
    {
        var c = size / 2;
        var d = Math.Sqrt((x - c) * (x - c) + (y - c) * (y - c));
        var outer = size * 0.40;
        var stroke = Math.Max(size * 0.07, 2);
        if (d <= outer && d >= outer - stroke) return true;

        // Chevron: two strokes from the bottom corners up to the apex.
        var apexY = c - size * 0.16;
        var halfWidth = size * 0.18;
        var baseY = c + size * 0.10;
        var u = (x - c) / halfWidth;
        if (Math.Abs(u) > 1 || y > baseY + stroke) return false;
        var lineY = apexY + Math.Abs(u) * (baseY - apexY);
        return y >= lineY - stroke / 2 && y <= lineY + stroke / 2 + stroke * 0.3;
    }
}
