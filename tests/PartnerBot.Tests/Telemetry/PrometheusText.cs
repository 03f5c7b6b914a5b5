using System.Globalization;
using System.Text.RegularExpressions;

namespace PartnerBot.Tests.Telemetry;

/// <summary>One sample line of the Prometheus text format: <c>name{label="value",...} value [timestamp]</c>.</summary>
public sealed record PrometheusSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

/// <summary>Reads what <c>GET /metrics</c> serves, the way a Prometheus server would.</summary>
public static partial class PrometheusText
{
    public static IReadOnlyList<PrometheusSample> Parse(string text)
    {
        var samples = new List<PrometheusSample>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var match = SampleLine().Match(line);
            if (!match.Success) throw new FormatException("Not a Prometheus sample line: " + line);
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (Match label in Label().Matches(match.Groups["labels"].Value))
                labels[label.Groups["name"].Value] = Regex.Unescape(label.Groups["value"].Value);
            samples.Add(new PrometheusSample(match.Groups["name"].Value, labels, ParseValue(match.Groups["value"].Value)));
        }
        return samples;
    }

    /// <summary>The <c># TYPE</c> of every metric family in the text.</summary>
    public static IReadOnlyDictionary<string, string> Types(string text) =>
        text.Split('\n').Select(l => l.TrimEnd('\r').Split(' '))
            .Where(p => p.Length == 4 && p[0] == "#" && p[1] == "TYPE")
            .ToDictionary(p => p[2], p => p[3], StringComparer.Ordinal);

    /// <summary>The sum of the samples named <paramref name="name"/> whose labels include all of <paramref name="labels"/>.</summary>
    public static double Sum(IEnumerable<PrometheusSample> samples, string name, params (string Name, string Value)[] labels) =>
        samples.Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Name, out var v) && v == l.Value)).Sum(s => s.Value);

    private static double ParseValue(string value) => value switch
    {
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ => double.Parse(value, NumberStyles.Float, CultureInfo.InvariantCulture),
    };

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})?\s+(?<value>\S+)(\s+-?\d+)?$""")]
    private static partial Regex SampleLine();

    [GeneratedRegex("""(?<name>[a-zA-Z_][a-zA-Z0-9_]*)="(?<value>(\\.|[^"\\])*)",?""")]
    private static partial Regex Label();
}
