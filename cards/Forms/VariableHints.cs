using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using PartnerBot.Api.Modules;

namespace PartnerBot.Cards.Forms;

/// <summary>
/// What a form can learn about a variable beyond its type: the UIMeta tag (options), and simple validation
/// conditions (numeric range, allowed values, regex, length). Anything more complex is left to Terraform.
/// </summary>
public sealed record VariableHints(
    IReadOnlyList<string>? Options,
    double? Min,
    double? Max,
    string? Pattern,
    int? MaxLength)
{
    private static readonly Regex UiMetaTag = new(@"\{\{\s*UIMeta\b[^}]*\}\}", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
    // The variable a condition talks about: var.x, or coalesce(var.x, d), which behaves like var.x for the bounds a form can show.
    private const string SubjectPattern = @"(?:var\.(?<name>[A-Za-z_][\w-]*)|coalesce\(\s*var\.(?<cname>[A-Za-z_][\w-]*)\s*,[^()]*\))";
    private const string NumberPattern = @"(?<num>-?\d+(?:\.\d+)?)";
    private static readonly Regex Comparison = new(SubjectPattern + @"\s*(?<op>>=|>|<=|<)\s*" + NumberPattern, RegexOptions.CultureInvariant);
    private static readonly Regex ReversedComparison = new(NumberPattern + @"\s*(?<op><=|<)\s*" + SubjectPattern, RegexOptions.CultureInvariant);
    private static readonly Regex Contains = new(@"contains\(\s*\[(?<list>[^\]]*)\]\s*,\s*" + SubjectPattern + @"\s*\)", RegexOptions.CultureInvariant);
    private static readonly Regex CanRegex = new("can\\(\\s*regex\\(\\s*\"(?<re>(?:[^\"\\\\]|\\\\.)*)\"\\s*,\\s*" + SubjectPattern + "\\s*\\)\\s*\\)", RegexOptions.CultureInvariant);
    private static readonly Regex LengthLimit = new(@"length\(\s*var\.(?<name>[A-Za-z_][\w-]*)\s*\)\s*(?<op><=|<)\s*(?<num>\d+)", RegexOptions.CultureInvariant);
    private static readonly Regex QuotedString = new("\"((?:[^\"\\\\]|\\\\.)*)\"", RegexOptions.CultureInvariant);

    private static string Subject(Match m) => m.Groups["name"].Success ? m.Groups["name"].Value : m.Groups["cname"].Value;

    private static readonly Regex UiMetaOptions = new(@"\boptions\s*=\s*([^\s}]+)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    /// <summary>The description without its <c>{{UIMeta ...}}</c> tag, whitespace tidied; null when nothing is left.</summary>
    public static string? HelpText(string? description)
    {
        if (description is null) return null;
        var text = UiMetaTag.Replace(description, "").Trim();
        text = Regex.Replace(text, @"[ \t]{2,}", " ");
        return text.Length == 0 ? null : text;
    }

    public static VariableHints For(ModuleVariable variable)
    {
        List<string>? options = null;
        double? min = null, max = null;
        string? pattern = null;
        int? maxLength = null;

        if (variable.Description is { } description && UiMetaTag.Match(description) is { Success: true } tag &&
            UiMetaOptions.Match(tag.Value) is { Success: true } optionsMatch)
            options = optionsMatch.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct().ToList();

        foreach (var validation in variable.Validations)
        {
            var c = validation.Condition;
            foreach (Match m in Comparison.Matches(c))
            {
                if (Subject(m) != variable.Name) continue;
                var n = double.Parse(m.Groups["num"].Value, CultureInfo.InvariantCulture);
                switch (m.Groups["op"].Value)
                {
                    case ">=": min = Higher(min, n); break;
                    // Terraform numbers here are counts, ports and sizes: "> 0" means "from 1".
                    case ">": min = Higher(min, Math.Floor(n) == n ? n + 1 : n); break;
                    case "<=": max = Lower(max, n); break;
                    case "<": max = Lower(max, Math.Floor(n) == n ? n - 1 : n); break;
                }
            }
            foreach (Match m in ReversedComparison.Matches(c))
            {
                if (Subject(m) != variable.Name) continue;
                var n = double.Parse(m.Groups["num"].Value, CultureInfo.InvariantCulture);
                min = Higher(min, m.Groups["op"].Value == "<=" ? n : n + 1);
            }
            if (options is null && Contains.Match(c) is { Success: true } contains && Subject(contains) == variable.Name)
            {
                var values = QuotedString.Matches(contains.Groups["list"].Value).Select(m => Unescape(m.Groups[1].Value)).Distinct().ToList();
                if (values.Count > 0) options = values;
            }
            if (pattern is null && CanRegex.Match(c) is { Success: true } regex && Subject(regex) == variable.Name)
            {
                var candidate = Unescape(regex.Groups["re"].Value);
                if (IsPortablePattern(candidate)) pattern = candidate;
            }
            foreach (Match m in LengthLimit.Matches(c))
            {
                if (m.Groups["name"].Value != variable.Name) continue;
                var n = int.Parse(m.Groups["num"].Value, CultureInfo.InvariantCulture) - (m.Groups["op"].Value == "<" ? 1 : 0);
                maxLength = maxLength is null ? n : Math.Min(maxLength.Value, n);
            }
        }
        return new VariableHints(options, min, max, pattern, maxLength);
    }

    /// <summary>Terraform uses RE2, clients use JavaScript and the server .NET: only patterns all three read alike are kept.</summary>
    private static bool IsPortablePattern(string pattern)
    {
        if (pattern.Length > 500 || pattern.Contains("(?") || pattern.Contains("\\p") || pattern.Contains("[[:")) return false;
        try { _ = new Regex(pattern, RegexOptions.None, TimeSpan.FromMilliseconds(100)); return true; }
        catch (ArgumentException) { return false; }
    }

    private static string Unescape(string hcl)
    {
        if (!hcl.Contains('\\')) return hcl;
        var sb = new StringBuilder(hcl.Length);
        for (var i = 0; i < hcl.Length; i++)
        {
            if (hcl[i] == '\\' && i + 1 < hcl.Length)
            {
                var next = hcl[++i];
                sb.Append(next switch { 'n' => '\n', 't' => '\t', 'r' => '\r', _ => next });
            }
            else sb.Append(hcl[i]);
        }
        return sb.ToString();
    }

    private static double Higher(double? a, double b) => a is null ? b : Math.Max(a.Value, b);
    private static double Lower(double? a, double b) => a is null ? b : Math.Min(a.Value, b);

    private static readonly HashSet<string> Acronyms = new(StringComparer.OrdinalIgnoreCase)
    {
        "id", "ids", "url", "urls", "ip", "ips", "cidr", "vpc", "gcp", "gcs", "gke", "aks", "eks", "aws", "dns", "api", "apis",
        "sql", "tls", "ssl", "vm", "vms", "cpu", "gpu", "ha", "iam", "smtp", "http", "https", "tcp", "udp", "ssh", "uri", "db", "k8s",
    };

    /// <summary>"database_password_length" → "Database password length"; "vpc_cidr" → "VPC CIDR".</summary>
    public static string Label(string variableName)
    {
        var words = variableName.Split(['_', '-', '.'], StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0) return variableName;
        var sb = new StringBuilder();
        for (var i = 0; i < words.Length; i++)
        {
            if (i > 0) sb.Append(' ');
            var w = words[i];
            if (Acronyms.Contains(w)) sb.Append(w.ToUpperInvariant());
            else if (i == 0) sb.Append(char.ToUpperInvariant(w[0])).Append(w.AsSpan(1));
            else sb.Append(w);
        }
        return sb.ToString();
    }
}
