using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Numerics;
using System.Text;
using System.Text.RegularExpressions;

namespace PartnerBot.Api.Modules.Hcl;

/// <summary>
/// The Terraform built-in functions that variable validations use, with Terraform's semantics.
/// A name not listed here is undecidable (<see cref="HclUndecidedException"/>), never silently true.
/// </summary>
public static class HclFunctions
{
    private static readonly ConcurrentDictionary<string, Regex> RegexCache = new(StringComparer.Ordinal);

    /// <summary>Patterns can come from submitted values (<c>regex(var.pattern, ...)</c>): the cache is bounded.</summary>
    private const int RegexCacheLimit = 512;

    /// <summary>The longest one match of a module's regular expression may run; longer is undecided, not a failure.</summary>
    internal static readonly TimeSpan RegexTimeout = TimeSpan.FromMilliseconds(250);

    public static IReadOnlySet<string> Names { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "can", "try", "regex", "regexall", "contains", "length", "startswith", "endswith", "strcontains", "alltrue", "anytrue",
        "lower", "upper", "title", "trimspace", "trim", "trimprefix", "trimsuffix", "replace", "split", "join", "substr", "format",
        "cidrhost", "cidrnetmask", "cidrsubnet", "coalesce", "coalescelist", "compact", "concat", "distinct", "flatten",
        "keys", "values", "lookup", "merge", "range", "element", "index", "one", "sum", "min", "max", "abs", "ceil", "floor",
        "tostring", "tonumber", "tobool", "tolist", "toset", "tomap", "reverse", "sort", "slice", "setintersection",
        "setunion", "setsubtract", "jsondecode", "jsonencode", "parseint", "signum", "pow", "log", "chunklist", "zipmap",
        "strrev", "base64encode", "base64decode", "urlencode", "indent", "chomp", "uuid_is_valid",
    };

    /// <summary>Calls a function with the <see cref="HclEvaluationBudget.Default"/> budget.</summary>
    public static HclValue Call(string name, IReadOnlyList<HclValue> args) => Call(name, args, HclEvaluationBudget.Default.Start());

    /// <summary>
    /// Calls a function, charging <paramref name="meter"/> for the elements it touches: every list or object argument
    /// costs its length, quadratic work costs per comparison, and no string longer than the budget is built.
    /// </summary>
    internal static HclValue Call(string name, IReadOnlyList<HclValue> args, HclBudgetMeter meter)
    {
        foreach (var arg in args)
            meter.Charge(arg switch { HclList l => l.Items.Count, HclMap m => m.Attributes.Count, _ => 0 });
        var result = CallCore(name, args, meter);
        if (result is HclString text) meter.CheckLength(text.Value.Length);
        return result;
    }

    private static HclValue CallCore(string name, IReadOnlyList<HclValue> args, HclBudgetMeter meter)
    {
        switch (name)
        {
            case "regex": Arity(name, args, 2); return Regex1(Str(args[0]), Str(args[1]), meter);
            case "regexall":
            {
                Arity(name, args, 2);
                var regex = GetRegex(Str(args[0]));
                var matches = Matches(regex, Str(args[1]), meter);
                meter.Charge(matches.Count);
                return new HclList(matches.Select(m => MatchValue(regex, m)).ToArray());
            }
            case "contains":
                Arity(name, args, 2);
                return HclValue.Of(List(args[0]).Any(i => HclEvaluator.ValuesEqual(i, args[1], meter)));
            case "length":
                Arity(name, args, 1);
                return new HclNumber(args[0] switch
                {
                    HclString s => s.Value.EnumerateRunes().Count(),
                    HclList l => l.Items.Count,
                    HclMap o => o.Attributes.Count,
                    HclNull => throw new HclEvaluationException("Invalid value for \"value\" parameter: argument must not be null."),
                    var v => throw new HclEvaluationException($"Invalid value for \"value\" parameter: collection or structure required, got {v.TypeName}."),
                });
            case "startswith": Arity(name, args, 2); return HclValue.Of(Str(args[0]).StartsWith(Str(args[1]), StringComparison.Ordinal));
            case "endswith": Arity(name, args, 2); return HclValue.Of(Str(args[0]).EndsWith(Str(args[1]), StringComparison.Ordinal));
            case "strcontains": Arity(name, args, 2); return HclValue.Of(Str(args[0]).Contains(Str(args[1]), StringComparison.Ordinal));
            case "alltrue": Arity(name, args, 1); return HclValue.Of(List(args[0]).All(v => HclEvaluator.ToBool(v, "alltrue element")));
            case "anytrue": Arity(name, args, 1); return HclValue.Of(List(args[0]).Any(v => HclEvaluator.ToBool(v, "anytrue element")));
            case "lower": Arity(name, args, 1); return new HclString(Str(args[0]).ToLowerInvariant());
            case "upper": Arity(name, args, 1); return new HclString(Str(args[0]).ToUpperInvariant());
            case "title": Arity(name, args, 1); return new HclString(CultureInfo.InvariantCulture.TextInfo.ToTitleCase(Str(args[0])));
            case "trimspace": Arity(name, args, 1); return new HclString(Str(args[0]).Trim());
            case "chomp": Arity(name, args, 1); return new HclString(Str(args[0]).TrimEnd('\r', '\n'));
            case "trim": Arity(name, args, 2); return new HclString(Str(args[0]).Trim(Str(args[1]).ToCharArray()));
            case "trimprefix":
            {
                Arity(name, args, 2);
                var s = Str(args[0]);
                var prefix = Str(args[1]);
                return new HclString(s.StartsWith(prefix, StringComparison.Ordinal) ? s[prefix.Length..] : s);
            }
            case "trimsuffix":
            {
                Arity(name, args, 2);
                var s = Str(args[0]);
                var suffix = Str(args[1]);
                return new HclString(s.EndsWith(suffix, StringComparison.Ordinal) ? s[..^suffix.Length] : s);
            }
            case "replace":
            {
                Arity(name, args, 3);
                var s = Str(args[0]);
                var search = Str(args[1]);
                var replacement = Str(args[2]);
                if (search.Length > 1 && search[0] == '/' && search[^1] == '/')
                    return new HclString(RegexReplace(GetRegex(search[1..^1]), s, replacement, meter));
                if (search.Length == 0) return new HclString(s);
                // Count first: a short search and a long replacement would otherwise build the oversized string.
                long length = s.Length;
                for (var at = s.IndexOf(search, StringComparison.Ordinal); at >= 0; at = s.IndexOf(search, at + search.Length, StringComparison.Ordinal))
                {
                    meter.Charge();
                    length += replacement.Length - search.Length;
                    meter.CheckLength(length);
                }
                return new HclString(s.Replace(search, replacement, StringComparison.Ordinal));
            }
            case "split":
            {
                Arity(name, args, 2);
                var separator = Str(args[0]);
                var text = Str(args[1]);
                var pieces = separator.Length == 0
                    ? text.EnumerateRunes().Select(r => r.ToString()).ToArray()
                    : text.Split(separator);
                meter.Charge(pieces.Length);
                return new HclList(pieces.Select(p => (HclValue)new HclString(p)).ToArray());
            }
            case "join":
            {
                if (args.Count < 2) throw new HclEvaluationException("Function \"join\" expects a separator and at least one list.");
                var separator = Str(args[0]);
                var parts = args.Skip(1).SelectMany(List).Select(Str).ToList();
                meter.CheckLength(parts.Sum(p => (long)p.Length) + (long)separator.Length * Math.Max(0, parts.Count - 1));
                return new HclString(string.Join(separator, parts));
            }
            case "substr":
            {
                Arity(name, args, 3);
                var runes = Str(args[0]).EnumerateRunes().ToArray();
                var offset = Int(args[1]);
                var length = Int(args[2]);
                if (offset < 0) offset += runes.Length;
                if (offset < 0 || offset > runes.Length) throw new HclEvaluationException("Invalid offset for substr.");
                if (length < 0 || offset + length > runes.Length) length = runes.Length - offset;
                return new HclString(string.Concat(runes.Skip(offset).Take(length).Select(r => r.ToString())));
            }
            case "format": return new HclString(Format(args, meter));
            case "strrev": Arity(name, args, 1); return new HclString(string.Concat(Str(args[0]).EnumerateRunes().Reverse().Select(r => r.ToString())));
            case "indent":
            {
                Arity(name, args, 2);
                var spaces = Int(args[0]);
                if (spaces is < 0 or > 1024) throw new HclEvaluationException("indent() needs between 0 and 1024 spaces.");
                var pad = new string(' ', spaces);
                var indented = Str(args[1]);
                meter.CheckLength(indented.Length + (long)spaces * indented.Count(c => c == '\n'));
                return new HclString(Str(args[1]).Replace("\n", "\n" + pad, StringComparison.Ordinal));
            }
            case "base64encode": Arity(name, args, 1); return new HclString(Convert.ToBase64String(Encoding.UTF8.GetBytes(Str(args[0]))));
            case "base64decode":
            {
                Arity(name, args, 1);
                try { return new HclString(new UTF8Encoding(false, true).GetString(Convert.FromBase64String(Str(args[0])))); }
                catch (Exception e) when (e is FormatException or DecoderFallbackException) { throw new HclEvaluationException("Invalid base64 data."); }
            }
            case "urlencode": Arity(name, args, 1); return new HclString(Uri.EscapeDataString(Str(args[0])));
            case "uuid_is_valid": Arity(name, args, 1); return HclValue.Of(Guid.TryParse(Str(args[0]), out _));
            case "cidrhost": Arity(name, args, 2); return new HclString(Cidr.Host(Str(args[0]), new BigInteger(Int(args[1]))));
            case "cidrnetmask": Arity(name, args, 1); return new HclString(Cidr.Netmask(Str(args[0])));
            case "cidrsubnet": Arity(name, args, 3); return new HclString(Cidr.Subnet(Str(args[0]), Int(args[1]), new BigInteger(Int(args[2]))));
            case "coalesce":
                foreach (var v in args)
                    if (v is not HclNull && !(v is HclString { Value: "" })) return v;
                throw new HclEvaluationException("No non-null, non-empty-string arguments passed to coalesce().");
            case "coalescelist":
                foreach (var v in args)
                    if (v is HclList { Items.Count: > 0 }) return v;
                throw new HclEvaluationException("No non-empty list arguments passed to coalescelist().");
            case "compact": Arity(name, args, 1); return new HclList(List(args[0]).Where(v => v is not HclNull && Str(v) != "").ToArray());
            case "concat": return new HclList(args.SelectMany(List).ToArray());
            case "distinct": Arity(name, args, 1); return new HclList(Distinct(List(args[0]), meter));
            case "flatten": Arity(name, args, 1); return new HclList(Flatten(List(args[0]), meter).ToArray());
            case "keys": Arity(name, args, 1); return new HclList(Obj(args[0]).Keys.Order(StringComparer.Ordinal).Select(k => (HclValue)new HclString(k)).ToArray());
            case "values": Arity(name, args, 1); return new HclList(Obj(args[0]).OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Value).ToArray());
            case "lookup":
            {
                if (args.Count is < 2 or > 3) throw new HclEvaluationException("Function \"lookup\" expects 2 or 3 arguments.");
                if (Obj(args[0]).TryGetValue(Str(args[1]), out var found)) return found;
                return args.Count == 3 ? args[2] : throw new HclEvaluationException($"Invalid index: the given key \"{Str(args[1])}\" does not exist.");
            }
            case "merge":
            {
                var merged = new Dictionary<string, HclValue>(StringComparer.Ordinal);
                foreach (var arg in args)
                    if (arg is not HclNull)
                        foreach (var (k, v) in Obj(arg)) merged[k] = v;
                return new HclMap(merged);
            }
            case "zipmap":
            {
                Arity(name, args, 2);
                var keys = List(args[0]);
                var values = List(args[1]);
                if (keys.Count != values.Count) throw new HclEvaluationException("Number of keys and values differ in zipmap().");
                var map = new Dictionary<string, HclValue>(StringComparer.Ordinal);
                for (var i = 0; i < keys.Count; i++) map[Str(keys[i])] = values[i];
                return new HclMap(map);
            }
            case "range": return Range(args, meter);
            case "element":
            {
                Arity(name, args, 2);
                var list = List(args[0]);
                if (list.Count == 0) throw new HclEvaluationException("Cannot use element function with an empty list.");
                var i = Int(args[1]);
                if (i < 0) throw new HclEvaluationException("Invalid index: element() index must not be negative.");
                return list[i % list.Count];
            }
            case "index":
            {
                Arity(name, args, 2);
                var list = List(args[0]);
                for (var i = 0; i < list.Count; i++)
                    if (HclEvaluator.ValuesEqual(list[i], args[1], meter)) return new HclNumber(i);
                throw new HclEvaluationException("Item not found in index().");
            }
            case "one":
            {
                Arity(name, args, 1);
                var list = List(args[0]);
                return list.Count switch
                {
                    0 => HclValue.Null,
                    1 => list[0],
                    _ => throw new HclEvaluationException("Invalid function argument: must be a list, set, or tuple value with either zero or one elements."),
                };
            }
            case "reverse": Arity(name, args, 1); return new HclList(List(args[0]).Reverse().ToArray());
            case "sort": Arity(name, args, 1); return new HclList(List(args[0]).Select(Str).Order(StringComparer.Ordinal).Select(s => (HclValue)new HclString(s)).ToArray());
            case "slice":
            {
                Arity(name, args, 3);
                var list = List(args[0]);
                var start = Int(args[1]);
                var end = Int(args[2]);
                if (start < 0 || end > list.Count || start > end) throw new HclEvaluationException("Invalid slice indices.");
                return new HclList(list.Skip(start).Take(end - start).ToArray());
            }
            case "chunklist":
            {
                Arity(name, args, 2);
                var size = Int(args[1]);
                if (size < 0) throw new HclEvaluationException("The size argument must be positive.");
                var list = List(args[0]);
                if (size == 0) return new HclList([new HclList(list)]);
                return new HclList(list.Chunk(size).Select(c => (HclValue)new HclList(c)).ToArray());
            }
            case "setintersection":
            {
                if (args.Count == 0) throw new HclEvaluationException("Function \"setintersection\" needs at least one set.");
                var others = args.Skip(1).Select(o => new ValueSet(List(o), meter)).ToList();
                return new HclList(Distinct(List(args[0]).Where(v => others.All(o => o.Contains(v))).ToList(), meter));
            }
            case "setunion": return new HclList(Distinct(args.SelectMany(List).ToList(), meter));
            case "setsubtract":
            {
                Arity(name, args, 2);
                var subtract = new ValueSet(List(args[1]), meter);
                return new HclList(Distinct(List(args[0]).Where(v => !subtract.Contains(v)).ToList(), meter));
            }
            case "sum":
            {
                Arity(name, args, 1);
                var list = List(args[0]);
                if (list.Count == 0) throw new HclEvaluationException("Cannot sum an empty list.");
                return new HclNumber(list.Sum(v => HclEvaluator.ToNumber(v, "sum element")));
            }
            case "min": return new HclNumber(NumbersOf(name, args).Min());
            case "max": return new HclNumber(NumbersOf(name, args).Max());
            case "abs": Arity(name, args, 1); return new HclNumber(Math.Abs(Num(args[0])));
            case "ceil": Arity(name, args, 1); return new HclNumber(Math.Ceiling(Num(args[0])));
            case "floor": Arity(name, args, 1); return new HclNumber(Math.Floor(Num(args[0])));
            case "signum": Arity(name, args, 1); return new HclNumber(Math.Sign(Num(args[0])));
            case "pow": Arity(name, args, 2); return new HclNumber(Math.Pow(Num(args[0]), Num(args[1])));
            case "log": Arity(name, args, 2); return new HclNumber(Math.Log(Num(args[0]), Num(args[1])));
            case "parseint":
            {
                Arity(name, args, 2);
                var b = Int(args[1]);
                if (b is < 2 or > 62) throw new HclEvaluationException("The base must be between 2 and 62.");
                return new HclNumber(ParseInt(Str(args[0]), b));
            }
            case "tostring":
                Arity(name, args, 1);
                return args[0] is HclNull ? HclValue.Null : new HclString(Str(args[0]));
            case "tonumber":
                Arity(name, args, 1);
                return args[0] is HclNull ? HclValue.Null : new HclNumber(Num(args[0]));
            case "tobool":
                Arity(name, args, 1);
                return args[0] is HclNull ? HclValue.Null : HclValue.Of(HclEvaluator.ToBool(args[0], "argument of tobool"));
            case "tolist": Arity(name, args, 1); return args[0] is HclNull ? HclValue.Null : new HclList(List(args[0]));
            case "toset": Arity(name, args, 1); return args[0] is HclNull ? HclValue.Null : new HclList(Distinct(List(args[0]), meter));
            case "tomap": Arity(name, args, 1); return args[0] is HclNull ? HclValue.Null : new HclMap(Obj(args[0]));
            case "jsondecode":
            {
                Arity(name, args, 1);
                try { return HclValue.FromJson(System.Text.Json.Nodes.JsonNode.Parse(Str(args[0]))); }
                catch (System.Text.Json.JsonException e) { throw new HclEvaluationException($"Invalid JSON: {e.Message}"); }
            }
            case "jsonencode":
                Arity(name, args, 1);
                HclEvaluator.Measure(args[0], meter); // shared sub-values would otherwise be written out once per reference
                return new HclString(args[0].ToJson()?.ToJsonString() ?? "null");
            default:
                throw new HclUndecidedException($"function '{name}' is not evaluated before deployment");
        }
    }

    private static void Arity(string name, IReadOnlyList<HclValue> args, int count)
    {
        if (args.Count != count) throw new HclEvaluationException($"Function \"{name}\" expects {count} argument(s), got {args.Count}.");
    }

    private static string Str(HclValue value) => HclEvaluator.ToStringValue(value, "function argument");

    private static double Num(HclValue value) => HclEvaluator.ToNumber(value, "function argument");

    private static int Int(HclValue value)
    {
        var n = Num(value);
        if (n != Math.Floor(n) || n > int.MaxValue || n < int.MinValue) throw new HclEvaluationException("Invalid function argument: a whole number is required.");
        return (int)n;
    }

    private static IReadOnlyList<HclValue> List(HclValue value) => value switch
    {
        HclList list => list.Items,
        HclNull => throw new HclEvaluationException("Invalid function argument: argument must not be null."),
        _ => throw new HclEvaluationException($"Invalid function argument: a list is required, got {value.TypeName}."),
    };

    private static IReadOnlyDictionary<string, HclValue> Obj(HclValue value) => value switch
    {
        HclMap obj => obj.Attributes,
        HclNull => throw new HclEvaluationException("Invalid function argument: argument must not be null."),
        _ => throw new HclEvaluationException($"Invalid function argument: a map or object is required, got {value.TypeName}."),
    };

    /// <summary>The items without repeats, first occurrence kept, in about linear time (values are bucketed by a structural hash).</summary>
    private static List<HclValue> Distinct(IReadOnlyList<HclValue> items, HclBudgetMeter meter)
    {
        var result = new List<HclValue>();
        var seen = new ValueSet([], meter);
        foreach (var item in items)
            if (seen.Add(item)) result.Add(item);
        return result;
    }

    /// <summary>Values by Terraform equality; hashing and comparing charge the meter per value visited.</summary>
    private sealed class ValueSet
    {
        private readonly Dictionary<int, List<HclValue>> _buckets = [];
        private readonly HclBudgetMeter _meter;

        public ValueSet(IEnumerable<HclValue> items, HclBudgetMeter meter)
        {
            _meter = meter;
            foreach (var item in items) Add(item);
        }

        public bool Contains(HclValue value) =>
            _buckets.TryGetValue(Hash(value), out var bucket) && bucket.Any(v => HclEvaluator.ValuesEqual(v, value, _meter));

        public bool Add(HclValue value)
        {
            var hash = Hash(value);
            if (!_buckets.TryGetValue(hash, out var bucket)) _buckets[hash] = bucket = [];
            else if (bucket.Any(v => HclEvaluator.ValuesEqual(v, value, _meter))) return false;
            bucket.Add(value);
            return true;
        }

        /// <summary>Equal values (as <see cref="HclEvaluator.ValuesEqual(HclValue, HclValue)"/>) hash alike; object keys in any order.</summary>
        private int Hash(HclValue value)
        {
            _meter.Charge();
            switch (value)
            {
                case HclNumber n: return n.Value == 0 ? 0 : n.Value.GetHashCode();
                case HclString s: return StringComparer.Ordinal.GetHashCode(s.Value);
                case HclBool b: return b.Value ? 1 : 2;
                case HclList list:
                {
                    var hash = new HashCode();
                    hash.Add(list.Items.Count);
                    foreach (var item in list.Items) hash.Add(Hash(item));
                    return hash.ToHashCode();
                }
                case HclMap map:
                {
                    var hash = map.Attributes.Count;
                    foreach (var (key, item) in map.Attributes) hash ^= HashCode.Combine(StringComparer.Ordinal.GetHashCode(key), Hash(item));
                    return hash;
                }
                default: return 3;
            }
        }
    }

    private static IEnumerable<HclValue> Flatten(IEnumerable<HclValue> items, HclBudgetMeter meter)
    {
        foreach (var item in items)
        {
            meter.Charge();
            if (item is HclList inner)
                foreach (var nested in Flatten(inner.Items, meter)) yield return nested;
            else yield return item;
        }
    }

    private static IEnumerable<double> NumbersOf(string name, IReadOnlyList<HclValue> args)
    {
        if (args.Count == 0) throw new HclEvaluationException($"Function \"{name}\" needs at least one argument.");
        return args.Select(Num);
    }

    private static HclValue Range(IReadOnlyList<HclValue> args, HclBudgetMeter meter)
    {
        double start = 0, step = 1, limit;
        switch (args.Count)
        {
            case 1: limit = Num(args[0]); break;
            case 2: start = Num(args[0]); limit = Num(args[1]); break;
            case 3: start = Num(args[0]); limit = Num(args[1]); step = Num(args[2]); break;
            default: throw new HclEvaluationException("Function \"range\" expects 1 to 3 arguments.");
        }
        if (step == 0) throw new HclEvaluationException("The step must not be zero.");
        if ((step > 0 && start > limit) || (step < 0 && start < limit)) throw new HclEvaluationException("The step must move from start toward limit.");
        var items = new List<HclValue>();
        for (var v = start; step > 0 ? v < limit : v > limit; v += step)
        {
            if (items.Count >= HclEvaluationBudget.TerraformMaxRangeLength)
                throw new HclEvaluationException($"More than {HclEvaluationBudget.TerraformMaxRangeLength} values were generated by range().");
            if (items.Count >= meter.Budget.MaxRangeLength)
                throw new HclUndecidedException($"range() produces more than {meter.Budget.MaxRangeLength} values, more than is evaluated before deployment");
            meter.Charge();
            items.Add(new HclNumber(v));
        }
        return new HclList(items);
    }

    private static double ParseInt(string text, int numberBase)
    {
        const string digits = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
        var negative = text.StartsWith('-');
        var body = negative || text.StartsWith('+') ? text[1..] : text;
        if (body.Length == 0) throw new HclEvaluationException($"Cannot parse \"{text}\" as a base {numberBase} integer.");
        double result = 0;
        foreach (var c in body)
        {
            var d = numberBase <= 36 ? digits.IndexOf(char.ToLowerInvariant(c)) : digits.IndexOf(c);
            if (d < 0 || d >= numberBase) throw new HclEvaluationException($"Cannot parse \"{text}\" as a base {numberBase} integer.");
            result = result * numberBase + d;
        }
        return negative ? -result : result;
    }

    private static string Format(IReadOnlyList<HclValue> args, HclBudgetMeter meter)
    {
        if (args.Count == 0) throw new HclEvaluationException("Function \"format\" needs a format string.");
        var spec = Str(args[0]);
        var builder = new StringBuilder();
        var next = 1;
        for (var i = 0; i < spec.Length; i++)
        {
            meter.CheckLength(builder.Length);
            if (spec[i] != '%') { builder.Append(spec[i]); continue; }
            if (++i >= spec.Length) throw new HclEvaluationException("Unterminated format verb.");
            if (spec[i] == '%') { builder.Append('%'); continue; }
            var verbStart = i;
            while (i < spec.Length && !char.IsLetter(spec[i])) i++;
            if (i >= spec.Length) throw new HclEvaluationException("Unterminated format verb.");
            if (i > verbStart) throw new HclUndecidedException("format() flags and widths are not evaluated before deployment");
            if (next >= args.Count) throw new HclEvaluationException("Too few arguments for format().");
            var arg = args[next++];
            builder.Append(spec[i] switch
            {
                's' or 'v' => Str(arg),
                'd' => ((long)Num(arg)).ToString(CultureInfo.InvariantCulture),
                'f' => Num(arg).ToString("F6", CultureInfo.InvariantCulture),
                'q' => "\"" + Str(arg).Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"",
                't' => HclEvaluator.ToBool(arg, "format argument") ? "true" : "false",
                _ => throw new HclUndecidedException($"format verb %{spec[i]} is not evaluated before deployment"),
            });
        }
        return builder.ToString();
    }

    // ---------- regular expressions (RE2 dialect) ----------

    private static HclValue Regex1(string pattern, string input, HclBudgetMeter meter)
    {
        var regex = GetRegex(pattern);
        meter.CheckTime();
        Match match;
        try { match = regex.Match(input); }
        catch (RegexMatchTimeoutException) { throw TookTooLong(); }
        if (!match.Success) throw new HclEvaluationException("Invalid function argument: pattern did not match any part of the given string.");
        return MatchValue(regex, match);
    }

    private static List<Match> Matches(Regex regex, string input, HclBudgetMeter meter)
    {
        meter.CheckTime();
        try
        {
            var matches = new List<Match>();
            for (var match = regex.Match(input); match.Success; match = match.NextMatch())
            {
                meter.Charge();
                matches.Add(match);
            }
            return matches;
        }
        catch (RegexMatchTimeoutException) { throw TookTooLong(); }
    }

    /// <summary><c>replace()</c> with a regular expression: <c>$1</c> and <c>${name}</c> in the replacement, the result kept within the budget.</summary>
    private static string RegexReplace(Regex regex, string input, string replacement, HclBudgetMeter meter)
    {
        meter.CheckTime();
        long length = input.Length;
        try
        {
            return regex.Replace(input, match =>
            {
                meter.Charge();
                var replaced = match.Result(replacement);
                length += replaced.Length - match.Length;
                meter.CheckLength(length);
                return replaced;
            });
        }
        catch (RegexMatchTimeoutException) { throw TookTooLong(); }
    }

    private static HclUndecidedException TookTooLong() =>
        new($"the regular expression took longer than {RegexTimeout.TotalMilliseconds:0} ms to match");

    private static HclValue MatchValue(Regex regex, Match match)
    {
        var groupNumbers = regex.GetGroupNumbers();
        if (groupNumbers.Length <= 1) return new HclString(match.Value);
        var names = regex.GetGroupNames().Where(n => !int.TryParse(n, out _)).ToList();
        if (names.Count > 0)
            return new HclMap(names.ToDictionary(n => n, n => (HclValue)new HclString(match.Groups[n].Value), StringComparer.Ordinal));
        return new HclList(groupNumbers.Skip(1).Select(g => match.Groups[g].Success ? (HclValue)new HclString(match.Groups[g].Value) : HclValue.Null).ToArray());
    }

    /// <summary>The compiled pattern, always with <see cref="RegexTimeout"/> as its match timeout.</summary>
    internal static Regex GetRegex(string pattern)
    {
        if (RegexCache.TryGetValue(pattern, out var cached)) return cached;
        Regex regex;
        try { regex = new Regex(TranslateRe2(pattern), RegexOptions.CultureInvariant, RegexTimeout); }
        catch (ArgumentException e) { throw new HclEvaluationException($"Invalid regular expression: {e.Message}"); }
        if (RegexCache.Count >= RegexCacheLimit) RegexCache.Clear();
        return RegexCache.GetOrAdd(pattern, regex);
    }

    /// <summary>
    /// RE2 and .NET agree on the syntax modules use, except that RE2's <c>$</c> (without the m flag) matches only at
    /// the very end, and RE2 spells named groups <c>(?P&lt;name&gt;...)</c>.
    /// </summary>
    internal static string TranslateRe2(string pattern)
    {
        var multiline = pattern.Contains("(?m", StringComparison.Ordinal);
        var builder = new StringBuilder(pattern.Length + 8);
        var inClass = false;
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '\\' && i + 1 < pattern.Length)
            {
                builder.Append(c).Append(pattern[++i]);
                continue;
            }
            if (inClass)
            {
                if (c == ']') inClass = false;
                builder.Append(c);
                continue;
            }
            if (c == '[')
            {
                inClass = true;
                builder.Append(c);
                if (i + 1 < pattern.Length && pattern[i + 1] == '^') builder.Append(pattern[++i]);
                if (i + 1 < pattern.Length && pattern[i + 1] == ']') builder.Append(pattern[++i]);
                continue;
            }
            if (c == '$' && !multiline) { builder.Append("\\z"); continue; }
            if (c == '(' && string.CompareOrdinal(pattern, i, "(?P<", 0, 4) == 0)
            {
                builder.Append("(?<");
                i += 3;
                continue;
            }
            builder.Append(c);
        }
        return builder.ToString();
    }

    // ---------- CIDR ----------

    private static class Cidr
    {
        private static (BigInteger Network, int PrefixLength, int Bits) ParsePrefix(string prefix)
        {
            var slash = prefix.IndexOf('/');
            if (slash < 0 || !IPAddress.TryParse(prefix[..slash], out var address)
                || !int.TryParse(prefix[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var length))
                throw new HclEvaluationException($"Invalid CIDR expression: \"{prefix}\".");
            var bits = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128;
            if (length > bits) throw new HclEvaluationException($"Invalid CIDR expression: prefix length {length} is too long.");
            if (bits == 32 && prefix[..slash].Split('.').Length != 4) throw new HclEvaluationException($"Invalid CIDR expression: \"{prefix}\".");
            var value = new BigInteger(address.GetAddressBytes(), isUnsigned: true, isBigEndian: true);
            var mask = ((BigInteger.One << length) - 1) << (bits - length);
            return (value & mask, length, bits);
        }

        private static string Format(BigInteger value, int bits)
        {
            var bytes = value.ToByteArray(isUnsigned: true, isBigEndian: true);
            var full = new byte[bits / 8];
            Array.Copy(bytes, 0, full, full.Length - bytes.Length, bytes.Length);
            return new IPAddress(full).ToString();
        }

        public static string Host(string prefix, BigInteger hostNumber)
        {
            var (network, length, bits) = ParsePrefix(prefix);
            var size = BigInteger.One << (bits - length);
            if (hostNumber < 0) hostNumber += size;
            if (hostNumber < 0 || hostNumber >= size) throw new HclEvaluationException($"Invalid host number: prefix {prefix} does not accommodate host {hostNumber}.");
            return Format(network + hostNumber, bits);
        }

        public static string Netmask(string prefix)
        {
            var (_, length, bits) = ParsePrefix(prefix);
            if (bits != 32) throw new HclEvaluationException("cidrnetmask only supports IPv4 prefixes.");
            return Format(((BigInteger.One << length) - 1) << (bits - length), bits);
        }

        public static string Subnet(string prefix, int newBits, BigInteger netNumber)
        {
            var (network, length, bits) = ParsePrefix(prefix);
            var newLength = length + newBits;
            if (newBits < 0 || newLength > bits) throw new HclEvaluationException($"Insufficient address space to extend prefix of {length} by {newBits}.");
            if (netNumber < 0 || netNumber >= BigInteger.One << newBits) throw new HclEvaluationException($"Prefix extension of {newBits} does not accommodate a subnet numbered {netNumber}.");
            return Format(network + (netNumber << (bits - newLength)), bits) + "/" + newLength.ToString(CultureInfo.InvariantCulture);
        }
    }
}
