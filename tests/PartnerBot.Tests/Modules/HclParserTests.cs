using System.Text;
using System.Text.RegularExpressions;
using PartnerBot.Api.Modules;
using PartnerBot.Api.Modules.Hcl;

namespace PartnerBot.Tests.Modules;

/// <summary>Syntax rules and hostile input: every failure is an <see cref="HclSyntaxException"/> with <c>file:line:column: message</c>.</summary>
public sealed class HclParserTests
{
    private static readonly Regex PositionedError = new(@"^[^:]+:\d+:\d+: \S", RegexOptions.CultureInvariant);

    private static HclSyntaxException ParseFails(string source, string file = "main.tf")
    {
        var error = Assert.Throws<HclSyntaxException>(() => HclParser.ParseFile(source, file));
        Assert.Matches(PositionedError, error.Message);
        return error;
    }

    private static string DefaultOf(string source)
    {
        var file = HclParser.ParseFile(source, "t.tf");
        var template = Assert.IsType<HclTemplate>(file.Body.Blocks[0].Body.Attribute("default")!.Expression);
        return ModuleVariableReader.TemplateText(template, source);
    }

    [Theory]
    [InlineData("variable \"a\" {\n  default = \"abc\n}\n", 2, 17, "multi-line string")]
    [InlineData("variable \"a\" {\n  default = \"abc", 2, 13, "Unterminated template string")]
    [InlineData("variable \"a\" {\n  default = <<EOT\nabc\n", 2, 13, "Unterminated heredoc")]
    [InlineData("variable \"a\" {\n  default = 1\n", 1, 14, "Unclosed configuration block")]
    [InlineData("variable \"a\" {\n  default = [1, 2\n}\n", 3, 1, "Missing item separator")]
    [InlineData("variable \"a\" {\n  default = [1, 2", 2, 13, "Unterminated tuple")]
    [InlineData("variable \"a\" {\n  default = \"\\x\"\n}\n", 2, 14, "Invalid escape sequence")]
    [InlineData("variable \"a\" {\n  default = \"\\uD800\"\n}\n", 2, 14, "cannot encode")]
    [InlineData("variable \"a\" {\n  default = 1 2\n}\n", 2, 15, "Missing newline")]
    [InlineData("variable \"a\" {\n  default = 1\n  default = 2\n}\n", 3, 3, "Attribute redefined")]
    [InlineData("variable \"a\" {\n  default = { a = 1 b = 2 }\n}\n", 2, 21, "Missing attribute separator")]
    [InlineData("variable \"a\" {\n  default = x &&\n    y\n}\n", 2, 17, "expected the start of an expression")]
    [InlineData("variable \"a\" {\n  default = \"${var.x\"\n}\n", 2, 21, "Unterminated template interpolation")]
    [InlineData("variable \"a\" {\n  default = \"%{ if true }x\"\n}\n", 2, 14, "no matching '%{ endif }'")]
    [InlineData("variable \"a\" { default = 1\n}\n", 1, 27, "single-line block")]
    [InlineData("/* never closed\nvariable \"a\" {}\n", 1, 1, "Unterminated comment")]
    [InlineData("}\n", 1, 1, "Argument or block definition required")]
    [InlineData("variable \"a\" {\n  default = <<EOT junk\nEOT\n}\n", 2, 18, "Invalid heredoc")]
    public void Syntax_errors_carry_file_line_and_column(string source, int line, int column, string fragment)
    {
        var error = ParseFails(source);
        Assert.Equal("main.tf", error.FileName);
        Assert.Equal((line, column), (error.Line, error.Column));
        Assert.Contains(fragment, error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Flush_heredoc_removes_the_smallest_indentation_like_terraform()
    {
        var source = "variable \"a\" {\n  default = <<-EOT\n      six\n    four\n\n        eight\n    EOT\n}\n";
        Assert.Equal("  six\nfour\n\n    eight\n", DefaultOf(source));
    }

    [Fact]
    public void Whitespace_only_lines_do_not_count_and_keep_their_spaces()
    {
        var source = "variable \"a\" {\n  default = <<-EOT\n    a\n  \n    b\n  EOT\n}\n";
        Assert.Equal("a\n  \nb\n", DefaultOf(source));
    }

    [Fact]
    public void Plain_heredoc_keeps_backslashes_and_unescapes_template_markers()
    {
        var source = "variable \"a\" {\n  default = <<EOT\n  \\n $${x} %%{y} $x\nEOT\n}\n";
        Assert.Equal("  \\n ${x} %{y} $x\n", DefaultOf(source));
    }

    [Fact]
    public void Quoted_string_escapes_are_decoded()
    {
        var source = "variable \"a\" {\n  default = \"\\t\\\"\\\\\\u00e9\\U0001F600 $${x} %%{y}\"\n}\n";
        Assert.Equal("\t\"\\é😀 ${x} %{y}", DefaultOf(source));
    }

    [Fact]
    public void Expressions_keep_their_source_text()
    {
        const string source = "variable \"a\" {\n  validation {\n    condition     = (\n      var.a == null ||\n      can(regex(\"^x$\", var.a))\n    ) # trailing comment\n    error_message = \"m\"\n  }\n}\n";
        var module = ModuleLoader.LoadFiles("m", new Dictionary<string, string> { ["variables.tf"] = source }).Module!;
        Assert.Equal("(\n      var.a == null ||\n      can(regex(\"^x$\", var.a))\n    )", module.Variables[0].Validations[0].Condition);
    }

    [Theory]
    [InlineData("[", "]")]
    [InlineData("(", ")")]
    [InlineData("{ a = ", "}")]
    [InlineData("f(", ")")]
    [InlineData("\"${", "}\"")]
    [InlineData("!", "")]
    [InlineData("-", "")]
    public void Ten_thousand_deep_nesting_fails_with_a_clear_error(string open, string close)
    {
        const int depth = 10_000;
        var source = "a = " + string.Concat(Enumerable.Repeat(open, depth)) + "1" + string.Concat(Enumerable.Repeat(close, depth)) + "\n";
        var error = ParseFails(source);
        Assert.Contains("Nesting too deep", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Deep_blocks_and_long_chains_fail_with_a_clear_error()
    {
        var blocks = string.Concat(Enumerable.Repeat("b {\n", 10_000)) + string.Concat(Enumerable.Repeat("}\n", 10_000));
        Assert.Contains("Nesting too deep", ParseFails(blocks).Message, StringComparison.Ordinal);
        var chain = "a = x" + string.Concat(Enumerable.Repeat(".y", 10_000)) + "\n";
        Assert.Contains("Nesting too deep", ParseFails(chain).Message, StringComparison.Ordinal);
        var sum = "a = 1" + string.Concat(Enumerable.Repeat(" + 1", 10_000)) + "\n";
        Assert.Contains("Nesting too deep", ParseFails(sum).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Nesting_within_the_limit_parses()
    {
        var source = "a = " + new string('[', 100) + new string(']', 100) + "\n";
        Assert.Single(HclParser.ParseFile(source, "deep.tf").Body.Attributes);
    }

    [Fact]
    public void Every_truncation_of_real_files_parses_or_fails_cleanly()
    {
        foreach (var path in ModuleTestPaths.OwnCorpusFiles)
        {
            var text = File.ReadAllText(path);
            for (var length = 0; length < text.Length; length += 7)
            {
                try
                {
                    HclParser.ParseFile(text[..length], Path.GetFileName(path));
                }
                catch (HclSyntaxException e)
                {
                    Assert.Matches(PositionedError, e.Message);
                }
            }
        }
    }

    [Fact]
    public void Binary_garbage_is_rejected_with_a_position_never_a_crash()
    {
        var random = new Random(20261123);
        var directory = Directory.CreateTempSubdirectory("partnerbot-garbage-");
        try
        {
            for (var i = 0; i < 200; i++)
            {
                var bytes = new byte[random.Next(1, 4096)];
                random.NextBytes(bytes);
                File.WriteAllBytes(Path.Combine(directory.FullName, "main.tf"), bytes);
                var result = ModuleLoader.LoadDirectory(directory.FullName);
                if (!result.Parsed) Assert.Matches(PositionedError, result.Error!);

                // The same bytes as text (what survives decoding) must also fail or parse cleanly.
                var text = Encoding.Latin1.GetString(bytes);
                try { HclParser.ParseFile(text, "latin1.tf"); }
                catch (HclSyntaxException e) { Assert.Matches(PositionedError, e.Message); }
            }
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void Invalid_utf8_reports_the_position_of_the_bad_byte()
    {
        var bytes = Encoding.UTF8.GetBytes("variable \"a\" {\n  default = \"ok é \"\n}\n").ToList();
        bytes.Insert(bytes.IndexOf((byte)'o') + 3, 0xFF);
        Assert.False(ModuleLoader.TryDecode(bytes.ToArray(), "variables.tf", out _, out var error));
        Assert.StartsWith("variables.tf:2:17: invalid UTF-8 encoding (byte 0xFF)", error);
    }

    [Fact]
    public void A_20_MB_file_parses_in_bounded_memory()
    {
        var block = "variable \"v{0}\" {\n  description = \"Variable {0} {{UIMeta group=1 order={0} }}\"\n  type = list(object({ name = string, size = optional(number, 1) }))\n  default = [{ name = \"n{0}\", size = {0} }]\n  validation {\n    condition     = alltrue([for x in var.v{0} : x.size > 0])\n    error_message = \"Sizes must be positive.\"\n  }\n}\n";
        var builder = new StringBuilder(21 * 1024 * 1024);
        for (var i = 0; builder.Length < 20 * 1024 * 1024; i++) builder.Append(block.Replace("{0}", i.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
        var source = builder.ToString();

        var before = GC.GetAllocatedBytesForCurrentThread();
        var file = HclParser.ParseFile(source, "big.tf");
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(file.Body.Blocks.Count > 50_000);
        // The syntax tree is proportional to the input; a per-character allocation pattern would blow far past this.
        Assert.True(allocated < source.Length * 2L * 12, $"allocated {allocated:N0} bytes for {source.Length * 2L:N0} bytes of source");

        var longString = "a = \"" + new string('x', 20 * 1024 * 1024) + "\"\n";
        var literal = Assert.IsType<HclTemplate>(HclParser.ParseFile(longString, "long.tf").Body.Attributes[0].Expression);
        Assert.Equal(20 * 1024 * 1024, literal.LiteralValue.Length);

        var unterminated = "a = \"" + new string('x', 20 * 1024 * 1024);
        Assert.Contains("Unterminated template string", ParseFails(unterminated).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Other_blocks_are_parsed_and_ignored()
    {
        var source = File.ReadAllText(Path.Combine(ModuleTestPaths.OwnCorpus, "07_other_blocks.tf"));
        var module = ModuleLoader.LoadFiles("m", new Dictionary<string, string> { ["main.tf"] = source }).Module!;
        Assert.Equal(["prefix", "single_line_block_validation"], module.Variables.Select(v => v.Name));
    }
}

/// <summary>Mutation fuzzing: damaged module files must parse, load and validate, or fail with a positioned syntax error.</summary>
public sealed class HclFuzzTests
{
    private const string Alphabet = "\"'\\${}[]()<>-=!?:.,*%~#/\n\t aZ09_\u00e9\U0001F600";

    [Fact]
    public void Mutated_module_files_never_crash_the_parser_loader_or_validator()
    {
        var random = new Random(Environment.GetEnvironmentVariable("FUZZ_SEED") is { } seed ? int.Parse(seed) : 424242);
        var sources = ModuleTestPaths.OwnCorpusFiles.Select(File.ReadAllText).ToArray();
        var iterations = Environment.GetEnvironmentVariable("FUZZ_ITERATIONS") is { } count ? int.Parse(count) : 3000;
        for (var i = 0; i < iterations; i++)
        {
            var text = new StringBuilder(sources[random.Next(sources.Length)]);
            var edits = random.Next(1, 6);
            for (var e = 0; e < edits && text.Length > 0; e++)
            {
                var at = random.Next(text.Length);
                switch (random.Next(3))
                {
                    case 0: text.Insert(at, Alphabet[random.Next(Alphabet.Length)]); break;
                    case 1: text.Remove(at, Math.Min(random.Next(1, 8), text.Length - at)); break;
                    default: text[at] = Alphabet[random.Next(Alphabet.Length)]; break;
                }
            }
            var result = ModuleLoader.LoadFiles("fuzz", new Dictionary<string, string> { ["variables.tf"] = text.ToString() });
            if (result.Module is not { } module)
            {
                Assert.Matches(@"^variables\.tf:\d+:\d+: \S", result.Error!);
                continue;
            }
            _ = ModuleInspectJson.ToJsonLine(result);
            var submitted = module.Variables.Where(v => !v.IsMetadata).ToDictionary(v => v.Name, v => (string?)(random.Next(2) == 0 ? "x" : "[1]"));
            _ = ModuleInputValidator.Validate(module, submitted);
        }
    }
}
