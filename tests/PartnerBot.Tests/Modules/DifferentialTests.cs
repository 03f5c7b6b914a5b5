using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using PartnerBot.Api.Modules;
using Xunit.Abstractions;

namespace PartnerBot.Tests.Modules;

/// <summary>
/// Differential test: for every corpus file, <c>module inspect</c>'s JSON agrees with HashiCorp's HCL parser
/// (via @cdktf/hcl2json) on variable names, descriptions, defaults, types, sensitive, nullable and validations.
/// hcl2json writes Terraform JSON syntax, so its strings escape <c>${</c>/<c>%{</c> as <c>$${</c>/<c>%%{</c> and
/// its expressions are <c>${source}</c>; those encodings are undone on its side before comparing.
/// </summary>
public sealed class DifferentialTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Module_inspect_agrees_with_hcl2json_on_every_corpus_file()
    {
        var files = ModuleTestPaths.AllCorpusFiles;
        Assert.True(ModuleTestPaths.OwnCorpusFiles.Count >= 10, "the project's own corpus is missing");
        var reference = await Hcl2JsonReference.CorpusAsync();

        var (mismatches, variables) = await CompareAsync(files, reference);

        output.WriteLine($"{files.Count} files, {variables} variables compared; {mismatches.Count} mismatches.");
        foreach (var mismatch in mismatches.Take(100)) output.WriteLine(mismatch);
        Assert.Empty(mismatches);
        if (ModuleTestPaths.SharedCorpus is not null) Assert.True(variables >= 2528, $"only {variables} variables compared");
    }

    /// <summary>Compares <c>module inspect</c>'s JSON for each file with hcl2json's conversion of it.</summary>
    internal static async Task<(List<string> Mismatches, int Variables)> CompareAsync(
        IReadOnlyList<string> files, IReadOnlyDictionary<string, (JsonObject? Json, string? Error)> reference)
    {
        var mismatches = new List<string>();
        var variables = 0;
        foreach (var file in files)
        {
            var (theirs, theirError) = reference[file];
            var result = ModuleLoader.LoadFiles(Path.GetFileNameWithoutExtension(file), new Dictionary<string, string>
            {
                [Path.GetFileName(file)] = await File.ReadAllTextAsync(file),
            });
            var mine = JsonNode.Parse(ModuleInspectJson.ToJsonLine(result))!.AsObject();
            var name = Path.GetFileName(file);

            if (theirError is not null || mine["error"] is not null)
            {
                if ((theirError is null) != (mine["error"] is null))
                    mismatches.Add($"{name}: hcl2json error={theirError ?? "none"}, ours error={mine["error"] ?? "none"}");
                continue;
            }

            var theirVariables = theirs!["variable"] as JsonObject ?? new JsonObject();
            var myVariables = mine["variables"]!.AsArray().Select(v => v!.AsObject()).ToDictionary(v => (string)v["name"]!, StringComparer.Ordinal);
            var theirNames = theirVariables.Select(p => p.Key).Order(StringComparer.Ordinal).ToArray();
            var myNames = myVariables.Keys.Order(StringComparer.Ordinal).ToArray();
            if (!theirNames.SequenceEqual(myNames))
            {
                mismatches.Add($"{name}: variable names differ: hcl2json [{string.Join(",", theirNames)}] ours [{string.Join(",", myNames)}]");
                continue;
            }

            foreach (var (variableName, blocks) in theirVariables)
            {
                variables++;
                var expected = blocks!.AsArray()[0]!.AsObject();
                var actual = myVariables[variableName];
                void Check(string what, bool equal, object? theirValue, object? ourValue)
                {
                    if (!equal) mismatches.Add($"{name} variable \"{variableName}\" {what}: hcl2json {Show(theirValue)} ours {Show(ourValue)}");
                }

                var theirDescription = expected["description"] is { } d ? Unescape((string)d!) : null;
                Check("description", theirDescription == (string?)actual["description"], theirDescription, actual["description"]);

                var theirType = expected["type"] is { } t ? NormaliseType((string)t!) : null;
                Check("type", theirType == (string?)actual["type"], theirType, actual["type"]);

                var theirHasDefault = expected.ContainsKey("default");
                var ourHasDefault = actual.ContainsKey("default");
                Check("default presence", theirHasDefault == ourHasDefault, theirHasDefault, ourHasDefault);
                if (theirHasDefault && ourHasDefault)
                    Check("default", JsonEquivalent(expected["default"], actual["default"]), expected["default"], actual["default"]);
                Check("required", (bool)actual["required"]! == !theirHasDefault, !theirHasDefault, actual["required"]);

                var theirSensitive = expected["sensitive"] is { } s && (bool)s!;
                Check("sensitive", theirSensitive == (bool)actual["sensitive"]!, theirSensitive, actual["sensitive"]);
                var theirNullable = expected["nullable"] is not { } n || (bool)n!;
                Check("nullable", theirNullable == (bool)actual["nullable"]!, theirNullable, actual["nullable"]);

                var theirValidations = (expected["validation"] as JsonArray ?? []).Select(v => v!.AsObject())
                    .Where(v => v.ContainsKey("condition") && v.ContainsKey("error_message")).ToArray();
                var ourValidations = actual["validations"]!.AsArray().Select(v => v!.AsObject()).ToArray();
                Check("validation count", theirValidations.Length == ourValidations.Length, theirValidations.Length, ourValidations.Length);
                foreach (var (their, ours) in theirValidations.Zip(ourValidations))
                {
                    var theirCondition = their["condition"]!.GetValueKind() == JsonValueKind.String
                        ? (string)their["condition"]!
                        : "${" + their["condition"]!.ToJsonString() + "}";
                    var ourCondition = "${" + (string)ours["condition"]! + "}";
                    Check("validation condition", theirCondition == ourCondition, theirCondition, ourCondition);
                    var theirMessage = Unescape((string)their["error_message"]!);
                    Check("validation error_message", theirMessage == (string)ours["errorMessage"]!, theirMessage, ours["errorMessage"]);
                }
            }
        }

        return (mismatches, variables);
    }

    [Fact]
    public async Task Metadata_and_validity_agree_with_hcl2json_defaults_for_every_corpus_file()
    {
        var reference = await Hcl2JsonReference.CorpusAsync();
        var mismatches = new List<string>();
        foreach (var file in ModuleTestPaths.AllCorpusFiles)
        {
            var (theirs, _) = reference[file];
            if (theirs is null) continue;
            var result = ModuleLoader.LoadFiles(Path.GetFileNameWithoutExtension(file), new Dictionary<string, string>
            {
                ["variables.tf"] = await File.ReadAllTextAsync(file),
            });
            var module = result.Module!;
            var variables = theirs["variable"] as JsonObject ?? new JsonObject();
            JsonNode? Default(string name) => variables[name]?[0]?["default"];
            string[] Strings(string name) => Default(name) is JsonArray a ? a.Select(i => Unescape((string)i!)).ToArray() : [];
            bool? Bool(string name) => Default(name) is JsonValue v ? (bool)v : null;
            var name = Path.GetFileName(file);
            var expectedValid = variables.ContainsKey("public_access");
            if (module.Valid != expectedValid) mismatches.Add($"{name}: valid {module.Valid}, expected {expectedValid}");
            if (!expectedValid && !module.Problems.Any(p => p.Contains("public_access", StringComparison.Ordinal)))
                mismatches.Add($"{name}: no problem explains why it is not listed");
            var m = module.Metadata;
            void Check(string what, object? expected, object? actual)
            {
                if (!Equals(expected, actual)) mismatches.Add($"{name} {what}: expected {Show(expected)} got {Show(actual)}");
            }
            Check("description", Default("module_description") is { } d ? Unescape((string)d!) : null, m.Description);
            Check("documentation", Default("module_documentation") is { } doc ? Unescape((string)doc!) : null, m.Documentation);
            Check("dependencies", string.Join("|", Strings("module_dependency")), string.Join("|", m.Dependencies));
            Check("services", string.Join("|", Strings("module_services")), string.Join("|", m.Services));
            Check("creditCost", Default("credit_cost") is { } c ? (decimal)c : 0m, m.CreditCost);
            Check("requireCreditPurchases", Bool("require_credit_purchases") ?? false, m.RequireCreditPurchases);
            Check("publicAccess", Bool("public_access"), m.PublicAccess);
            Check("enablePurge", Bool("enable_purge"), m.EnablePurge);
            Check("sharedUsers", string.Join("|", Strings("shared_users")), string.Join("|", m.SharedUsers));
            Check("technicalSupportUsers", string.Join("|", Strings("technical_support_users")), string.Join("|", m.TechnicalSupportUsers));
        }
        foreach (var mismatch in mismatches) output.WriteLine(mismatch);
        Assert.Empty(mismatches);
    }

    private static string Show(object? value) => value switch
    {
        null => "<absent>",
        JsonNode node => node.ToJsonString(),
        string s => JsonSerializer.Serialize(s),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };

    /// <summary>Undoes Terraform JSON syntax's escaping of literal template markers.</summary>
    private static string Unescape(string value) =>
        value.Replace("$${", "${", StringComparison.Ordinal).Replace("%%{", "%{", StringComparison.Ordinal);

    private static bool JsonEquivalent(JsonNode? theirs, JsonNode? ours)
    {
        if (theirs is null || ours is null) return theirs is null && ours is null;
        switch (theirs)
        {
            case JsonObject theirObject:
                return ours is JsonObject ourObject && theirObject.Count == ourObject.Count
                    && theirObject.All(p => ourObject.ContainsKey(p.Key) && JsonEquivalent(p.Value, ourObject[p.Key]));
            case JsonArray theirArray:
                return ours is JsonArray ourArray && theirArray.Count == ourArray.Count
                    && theirArray.Zip(ourArray).All(p => JsonEquivalent(p.First, p.Second));
            default:
                var kind = theirs.GetValueKind();
                if (kind != ours.GetValueKind()) return false;
                return kind switch
                {
                    JsonValueKind.String => Unescape((string)theirs!) == (string)ours!,
                    JsonValueKind.Number => theirs.GetValue<double>() == ours.GetValue<double>() || (double)theirs == (double)ours,
                    _ => theirs.ToJsonString() == ours.ToJsonString(),
                };
        }
    }

    /// <summary>
    /// hcl2json gives a type as <c>${source}</c>. The model's form drops whitespace and comments, separates object
    /// attributes with commas (newlines in the source), drops trailing commas and writes <c>=</c> for <c>:</c>.
    /// </summary>
    internal static string NormaliseType(string wrapped)
    {
        var text = wrapped.StartsWith("${", StringComparison.Ordinal) && wrapped.EndsWith('}') ? wrapped[2..^1] : wrapped;
        var builder = new StringBuilder();
        var brackets = new Stack<char>();
        var sawNewline = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '"')
            {
                FlushSeparator(builder, brackets, ref sawNewline, c);
                var start = i++;
                while (i < text.Length && text[i] != '"') i += text[i] == '\\' ? 2 : 1;
                builder.Append(text, start, Math.Min(i + 1, text.Length) - start);
                continue;
            }
            if (c == '#' || (c == '/' && i + 1 < text.Length && text[i + 1] == '/'))
            {
                while (i + 1 < text.Length && text[i + 1] != '\n') i++;
                continue;
            }
            if (c == '/' && i + 1 < text.Length && text[i + 1] == '*')
            {
                var close = text.IndexOf("*/", i + 2, StringComparison.Ordinal);
                if (text.AsSpan(i, close - i).Contains('\n')) sawNewline = true;
                i = close + 1;
                continue;
            }
            if (char.IsWhiteSpace(c))
            {
                if (c == '\n') sawNewline = true;
                continue;
            }
            FlushSeparator(builder, brackets, ref sawNewline, c);
            if (c is '{' or '[' or '(') brackets.Push(c);
            else if (c is '}' or ']' or ')' && brackets.Count > 0) brackets.Pop();
            builder.Append(c == ':' ? '=' : c);
        }
        return builder.ToString().Replace(",}", "}", StringComparison.Ordinal).Replace(",]", "]", StringComparison.Ordinal).Replace(",)", ")", StringComparison.Ordinal);
    }

    private static void FlushSeparator(StringBuilder builder, Stack<char> brackets, ref bool sawNewline, char next)
    {
        if (sawNewline && brackets.Count > 0 && brackets.Peek() == '{' && builder.Length > 0
            && builder[^1] is not ('{' or ',' or '=' or ':') && next is not ('}' or ',' or '=' or ':'))
            builder.Append(',');
        sawNewline = false;
    }
}
