using System.Text;
using PartnerBot.Api.Modules;
using PartnerBot.Api.Modules.Hcl;
using Xunit.Abstractions;

namespace PartnerBot.Tests.Modules;

/// <summary>Seeded random tests of the string and heredoc rules, in-process and against HashiCorp's parser.</summary>
public sealed class HclPropertyTests(ITestOutputHelper output)
{
    private const string Pool = "abcXYZ019 _-.:/\"\\$%{}~#*=\té😀\u0001\u007f";

    [Fact]
    public void Quoted_strings_round_trip_through_escaping()
    {
        var random = new Random(1);
        for (var i = 0; i < 3000; i++)
        {
            var value = RandomText(random, random.Next(0, 40), allowNewlines: true);
            var source = $"a = {Quote(value, random)}\n";
            var template = Assert.IsType<HclTemplate>(HclParser.ParseFile(source, "p.tf").Body.Attributes[0].Expression);
            Assert.True(template.IsLiteral, source);
            Assert.Equal(value, template.LiteralValue);
        }
    }

    [Fact]
    public void Flush_heredocs_remove_exactly_the_common_indentation()
    {
        var random = new Random(2);
        for (var i = 0; i < 1500; i++)
        {
            var lines = RandomHeredocLines(random);
            var source = $"a = <<-EOT\n{string.Concat(lines.Select(l => Escape(l) + "\n"))}{Indent(random)}EOT\n";
            var template = Assert.IsType<HclTemplate>(HclParser.ParseFile(source, "p.tf").Body.Attributes[0].Expression);
            Assert.Equal(ExpectedFlush(lines), template.LiteralValue);
        }
    }

    [Fact]
    public void Plain_heredocs_keep_every_character()
    {
        var random = new Random(3);
        for (var i = 0; i < 1500; i++)
        {
            var lines = RandomHeredocLines(random);
            var source = $"a = <<EOT\n{string.Concat(lines.Select(l => Escape(l) + "\n"))}EOT\n";
            var template = Assert.IsType<HclTemplate>(HclParser.ParseFile(source, "p.tf").Body.Attributes[0].Expression);
            Assert.Equal(string.Concat(lines.Select(l => l + "\n")), template.LiteralValue);
        }
    }

    [Fact]
    public async Task Random_strings_and_heredocs_agree_with_hcl2json()
    {
        var random = new Random(4);
        var directory = Directory.CreateTempSubdirectory("partnerbot-hcl-props-");
        try
        {
            var files = new List<string>();
            for (var f = 0; f < 8; f++)
            {
                var builder = new StringBuilder();
                for (var v = 0; v < 40; v++)
                {
                    builder.Append($"variable \"v{v}\" {{\n");
                    var lines = RandomHeredocLines(random);
                    var marker = random.Next(2) == 0 ? "EOT" : "END_TEXT";
                    switch (random.Next(3))
                    {
                        case 0:
                            builder.Append($"  description = {Quote(RandomText(random, random.Next(0, 30), allowNewlines: true), random)}\n");
                            break;
                        case 1:
                            builder.Append($"  description = <<{marker}\n{string.Concat(lines.Select(l => Escape(l) + "\n"))}{marker}\n");
                            break;
                        default:
                            builder.Append($"  description = <<-{marker}\n{string.Concat(lines.Select(l => Escape(l) + "\n"))}{Indent(random)}{marker}\n");
                            break;
                    }
                    builder.Append($"  default = [{Quote(RandomText(random, random.Next(0, 12), allowNewlines: true), random)}]\n}}\n\n");
                }
                var path = Path.Combine(directory.FullName, $"random{f}.tf");
                await File.WriteAllTextAsync(path, builder.ToString());
                files.Add(path);
            }

            var reference = await Hcl2JsonReference.ConvertAsync(files);
            var (mismatches, variables) = await DifferentialTests.CompareAsync(files, reference);
            output.WriteLine($"{variables} random variables compared, {mismatches.Count} mismatches");
            foreach (var mismatch in mismatches.Take(20)) output.WriteLine(mismatch);
            Assert.Equal(320, variables);
            Assert.Empty(mismatches);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static string RandomText(Random random, int length, bool allowNewlines)
    {
        var builder = new StringBuilder();
        for (var i = 0; i < length; i++)
        {
            if (allowNewlines && random.Next(15) == 0) { builder.Append(random.Next(2) == 0 ? "\n" : "\r\n"); continue; }
            var c = Pool[random.Next(Pool.Length)];
            if (char.IsHighSurrogate(c)) builder.Append("😀");
            else if (!char.IsLowSurrogate(c)) builder.Append(c);
        }
        return builder.ToString();
    }

    /// <summary>A quoted HCL string for the value, choosing among equivalent spellings at random.</summary>
    private static string Quote(string value, Random random)
    {
        var builder = new StringBuilder("\"");
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            var next = i + 1 < value.Length ? value[i + 1] : '\0';
            switch (c)
            {
                case '\\': builder.Append(@"\\"); break;
                case '"': builder.Append("\\\""); break;
                case '\n': builder.Append(@"\n"); break;
                case '\r': builder.Append(@"\r"); break;
                case '\t': builder.Append(random.Next(2) == 0 ? @"\t" : "\t"); break;
                case '$' or '%' when next == '{': builder.Append(c).Append(c).Append('{'); i++; break;
                case < ' ' or '\u007f': builder.Append($"\\u{(int)c:x4}"); break;
                default:
                    if (c == 'é' && random.Next(2) == 0) builder.Append(@"\u00e9");
                    else if (char.IsHighSurrogate(c) && random.Next(2) == 0) { builder.Append(@"\U0001F600"); i++; }
                    else builder.Append(c);
                    break;
            }
        }
        return builder.Append('"').ToString();
    }

    /// <summary>Heredoc text escapes only the template markers; backslashes are literal there.</summary>
    private static string Escape(string line) =>
        line.Replace("${", "$${", StringComparison.Ordinal).Replace("%{", "%%{", StringComparison.Ordinal);

    private static List<string> RandomHeredocLines(Random random)
    {
        var lines = new List<string>();
        var baseIndent = Indent(random);
        var count = random.Next(0, 6);
        for (var i = 0; i < count; i++)
        {
            switch (random.Next(8))
            {
                case 0: lines.Add(""); break;
                case 1: lines.Add(Indent(random)); break; // whitespace only
                default:
                    var text = RandomText(random, random.Next(1, 20), allowNewlines: false).TrimStart(' ', '\t', '\u0001', '\u007f');
                    if (text.Length == 0) text = "x";
                    lines.Add(baseIndent + Indent(random) + text.Replace("\r", "", StringComparison.Ordinal));
                    break;
            }
        }
        // A line that is exactly the closing marker would end the heredoc early.
        return lines.Select(l => l.Trim() is "EOT" or "END_TEXT" ? l + "!" : l).ToList();
    }

    private static string Indent(Random random)
    {
        var builder = new StringBuilder();
        var count = random.Next(0, 7);
        for (var i = 0; i < count; i++) builder.Append(random.Next(5) == 0 ? '\t' : ' ');
        return builder.ToString();
    }

    /// <summary>Terraform's rule, restated: drop the smallest leading-whitespace count of the non-blank lines from each non-blank line.</summary>
    private static string ExpectedFlush(List<string> lines)
    {
        static int Leading(string line) => line.Length - line.TrimStart().Length;
        var nonBlank = lines.Where(l => l.Trim().Length > 0).ToList();
        var min = nonBlank.Count == 0 ? 0 : nonBlank.Min(Leading);
        return string.Concat(lines.Select(l => (l.Trim().Length > 0 ? l[min..] : l) + "\n"));
    }
}
