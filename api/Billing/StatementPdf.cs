using System.Globalization;
using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Writer;

namespace PartnerBot.Api.Billing;

/// <summary>Writes a <see cref="MonthlyStatement"/> as an A4 PDF with PdfPig's document builder (Helvetica, text lines).</summary>
public static class StatementPdf
{
    private const double Margin = 50;
    private const double LineHeight = 16;

    public static byte[] Build(MonthlyStatement statement, string userName)
    {
        using var builder = new PdfDocumentBuilder();
        var regular = builder.AddStandard14Font(Standard14Font.Helvetica);
        var bold = builder.AddStandard14Font(Standard14Font.HelveticaBold);
        var page = builder.AddPage(PageSize.A4);
        var top = page.PageSize.Height - Margin;
        var y = top;

        void Line(string left, string? right = null, bool strong = false, double size = 11)
        {
            if (y < Margin + LineHeight)
            {
                page = builder.AddPage(PageSize.A4);
                y = top;
            }
            var font = strong ? bold : regular;
            page.AddText(Printable(left), size, new PdfPoint(Margin, y), font);
            if (right is not null) page.AddText(Printable(right), size, new PdfPoint(page.PageSize.Width - Margin - 120, y), font);
            y -= LineHeight;
        }

        Line($"PartnerBot credit statement - {statement.Title}", strong: true, size: 16);
        y -= 4;
        Line($"Account: {userName} ({statement.UserId})");
        Line($"Generated: {DateTimeOffset.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)}");
        y -= 8;
        Line("Opening balance", Credits(statement.OpeningBalance), strong: true);
        y -= 4;
        Line("Credits added", strong: true);
        if (statement.Added.Count == 0) Line("  (none)");
        foreach (var added in statement.Added) Line("  " + added.Label, Credits(added.Credits));
        Line("Total added", Credits(statement.TotalAdded), strong: true);
        y -= 4;
        Line("Charges per deployment", strong: true);
        if (statement.Charges.Count == 0) Line("  (none)");
        foreach (var charge in statement.Charges) Line("  " + charge.Label, Credits(charge.Credits));
        Line("Total charged", Credits(statement.TotalCharged), strong: true);
        y -= 4;
        Line("Closing balance", Credits(statement.ClosingBalance), strong: true);
        if (statement.Invoices.Count > 0)
        {
            y -= 8;
            Line("Stripe invoices", strong: true);
            foreach (var invoice in statement.Invoices)
            {
                Line($"  {invoice.Number ?? invoice.Id} ({invoice.Status})",
                    $"{invoice.AmountPaid.ToString("0.00", CultureInfo.InvariantCulture)} {invoice.Currency.ToUpperInvariant()}");
                if (invoice.HostedInvoiceUrl is { } url) Line("    " + url, size: 8);
            }
        }
        return builder.Build();
    }

    public static string Credits(decimal value) => BillingReports.Number(value) + " credits";

    /// <summary>Helvetica (WinAnsi) draws Latin-1; anything else becomes '?', never a failure.</summary>
    private static string Printable(string text) =>
        new(text.Select(c => c is >= ' ' and <= '~' || c is >= '\u00A0' and <= '\u00FF' ? c : '?').ToArray());
}
