namespace PartnerBot.Api.Modules;

public enum TerraformTypeKind { Any, String, Number, Bool, List, Set, Map, Object, Tuple }

/// <summary>A parsed Terraform type constraint such as <c>map(object({name=string,size=optional(number,1)}))</c>.</summary>
public sealed record TerraformType(
    TerraformTypeKind Kind,
    TerraformType? Element = null,
    IReadOnlyList<TerraformObjectAttribute>? Attributes = null,
    IReadOnlyList<TerraformType>? TupleElements = null)
{
    public static TerraformType Any { get; } = new(TerraformTypeKind.Any);
    public static TerraformType String { get; } = new(TerraformTypeKind.String);
    public static TerraformType Number { get; } = new(TerraformTypeKind.Number);
    public static TerraformType Bool { get; } = new(TerraformTypeKind.Bool);

    public bool IsPrimitive => Kind is TerraformTypeKind.String or TerraformTypeKind.Number or TerraformTypeKind.Bool;
    public bool IsCollection => Kind is TerraformTypeKind.List or TerraformTypeKind.Set or TerraformTypeKind.Map;

    /// <summary>Parses a type expression (spaces allowed); a null or empty expression is <c>any</c>.</summary>
    public static TerraformType Parse(string? expression)
    {
        if (string.IsNullOrWhiteSpace(expression)) return Any;
        var text = ModuleVariableReader.CompactTypeText(expression);
        var pos = 0;
        var type = ParseType(text, ref pos);
        if (pos != text.Length) throw new FormatException($"Unexpected '{text[pos..]}' in type expression '{expression}'.");
        return type;
    }

    /// <summary>Builds the type from a parsed type expression; throws <see cref="FormatException"/> for anything that is not a type.</summary>
    public static TerraformType FromSyntax(Hcl.HclExpression expression, string source)
    {
        switch (expression)
        {
            case Hcl.HclVariable { Name: "any" }: return Any;
            case Hcl.HclVariable { Name: "string" }: return String;
            case Hcl.HclVariable { Name: "number" }: return Number;
            case Hcl.HclVariable { Name: "bool" }: return Bool;
            case Hcl.HclFunctionCall { Name: "list" or "set" or "map", Arguments.Count: 1 } call:
            {
                var kind = call.Name switch { "list" => TerraformTypeKind.List, "set" => TerraformTypeKind.Set, _ => TerraformTypeKind.Map };
                return new TerraformType(kind, FromSyntax(call.Arguments[0], source));
            }
            case Hcl.HclFunctionCall { Name: "tuple", Arguments: [Hcl.HclTuple elements] }:
                return new TerraformType(TerraformTypeKind.Tuple, TupleElements: elements.Items.Select(e => FromSyntax(e, source)).ToArray());
            case Hcl.HclFunctionCall { Name: "object", Arguments: [Hcl.HclObject attributes] }:
            {
                var result = new List<TerraformObjectAttribute>();
                foreach (var item in attributes.Items)
                {
                    var name = item.Key switch
                    {
                        Hcl.HclVariable bare => bare.Name,
                        Hcl.HclTemplate { IsLiteral: true } quoted => quoted.LiteralValue,
                        _ => throw new FormatException($"Invalid object attribute name '{item.Key.SourceText(source)}'."),
                    };
                    if (item.Value is Hcl.HclFunctionCall { Name: "optional", Arguments.Count: 1 or 2 } optional)
                    {
                        var defaultSyntax = optional.Arguments.Count == 2 ? optional.Arguments[1] : null;
                        result.Add(new TerraformObjectAttribute(name, FromSyntax(optional.Arguments[0], source), true, defaultSyntax?.SourceText(source))
                        {
                            DefaultSyntax = defaultSyntax,
                        });
                    }
                    else result.Add(new TerraformObjectAttribute(name, FromSyntax(item.Value, source), false, null));
                }
                return new TerraformType(TerraformTypeKind.Object, Attributes: result);
            }
            default:
                throw new FormatException($"'{expression.SourceText(source)}' is not a type constraint.");
        }
    }

    public static bool TryParse(string? expression, out TerraformType type)
    {
        try { type = Parse(expression); return true; }
        catch (FormatException) { type = Any; return false; }
    }

    private static TerraformType ParseType(string s, ref int pos)
    {
        var name = ReadIdentifier(s, ref pos);
        switch (name)
        {
            case "any": return Any;
            case "string": return String;
            case "number": return Number;
            case "bool": return Bool;
            case "list" or "set" or "map":
            {
                Expect(s, ref pos, '(');
                var element = ParseType(s, ref pos);
                Expect(s, ref pos, ')');
                var kind = name switch { "list" => TerraformTypeKind.List, "set" => TerraformTypeKind.Set, _ => TerraformTypeKind.Map };
                return new TerraformType(kind, element);
            }
            case "tuple":
            {
                Expect(s, ref pos, '(');
                Expect(s, ref pos, '[');
                var elements = new List<TerraformType>();
                while (Peek(s, pos) != ']')
                {
                    elements.Add(ParseType(s, ref pos));
                    if (Peek(s, pos) == ',') pos++;
                }
                Expect(s, ref pos, ']');
                Expect(s, ref pos, ')');
                return new TerraformType(TerraformTypeKind.Tuple, TupleElements: elements);
            }
            case "object":
            {
                Expect(s, ref pos, '(');
                Expect(s, ref pos, '{');
                var attributes = new List<TerraformObjectAttribute>();
                while (Peek(s, pos) != '}')
                {
                    var attrName = Peek(s, pos) == '"' ? ReadQuoted(s, ref pos) : ReadIdentifier(s, ref pos);
                    if (Peek(s, pos) is '=' or ':') pos++; else throw new FormatException($"Expected '=' after '{attrName}'.");
                    attributes.Add(ParseAttribute(attrName, s, ref pos));
                    if (Peek(s, pos) == ',') pos++;
                }
                Expect(s, ref pos, '}');
                Expect(s, ref pos, ')');
                return new TerraformType(TerraformTypeKind.Object, Attributes: attributes);
            }
            default:
                throw new FormatException($"Unknown type '{name}'.");
        }
    }

    private static TerraformObjectAttribute ParseAttribute(string name, string s, ref int pos)
    {
        var save = pos;
        if (ReadIdentifier(s, ref pos) == "optional" && Peek(s, pos) == '(')
        {
            pos++;
            var type = ParseType(s, ref pos);
            string? defaultText = null;
            if (Peek(s, pos) == ',')
            {
                pos++;
                var start = pos;
                var depth = 0;
                var inString = false;
                for (; pos < s.Length; pos++)
                {
                    var c = s[pos];
                    if (inString) { if (c == '\\') pos++; else if (c == '"') inString = false; continue; }
                    if (c == '"') inString = true;
                    else if (c is '(' or '[' or '{') depth++;
                    else if (c is ')' or ']' or '}') { if (depth == 0) break; depth--; }
                }
                defaultText = s[start..pos];
            }
            Expect(s, ref pos, ')');
            return new TerraformObjectAttribute(name, type, Optional: true, DefaultExpression: defaultText);
        }
        pos = save;
        return new TerraformObjectAttribute(name, ParseType(s, ref pos), Optional: false, DefaultExpression: null);
    }

    private static char Peek(string s, int pos) => pos < s.Length ? s[pos] : '\0';

    private static void Expect(string s, ref int pos, char c)
    {
        if (Peek(s, pos) != c) throw new FormatException($"Expected '{c}' at position {pos} of type expression '{s}'.");
        pos++;
    }

    private static string ReadIdentifier(string s, ref int pos)
    {
        var start = pos;
        while (pos < s.Length && (char.IsLetterOrDigit(s[pos]) || s[pos] is '_' or '-')) pos++;
        if (pos == start) throw new FormatException($"Expected a name at position {pos} of type expression '{s}'.");
        return s[start..pos];
    }

    private static string ReadQuoted(string s, ref int pos)
    {
        Expect(s, ref pos, '"');
        var start = pos;
        while (pos < s.Length && s[pos] != '"') pos++;
        var value = s[start..pos];
        Expect(s, ref pos, '"');
        return value;
    }

    public override string ToString() => Kind switch
    {
        TerraformTypeKind.List => $"list({Element})",
        TerraformTypeKind.Set => $"set({Element})",
        TerraformTypeKind.Map => $"map({Element})",
        TerraformTypeKind.Tuple => $"tuple([{string.Join(',', TupleElements!)}])",
        TerraformTypeKind.Object => "object({" + string.Join(',', Attributes!.Select(a => a.ToString())) + "})",
        _ => Kind.ToString().ToLowerInvariant(),
    };
}

public sealed record TerraformObjectAttribute(string Name, TerraformType Type, bool Optional, string? DefaultExpression)
{
    /// <summary>The parsed default of an <c>optional(type, default)</c> attribute, when the type was built from source.</summary>
    public Hcl.HclExpression? DefaultSyntax { get; init; }

    public override string ToString() => Optional
        ? $"{Name}=optional({Type}{(DefaultExpression is null ? "" : "," + DefaultExpression)})"
        : $"{Name}={Type}";
}
