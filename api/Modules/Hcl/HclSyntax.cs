namespace PartnerBot.Api.Modules.Hcl;

/// <summary>A parsed HCL native-syntax file. <see cref="Source"/> is kept so expressions can report their text as written.</summary>
public sealed record HclFile(string FileName, string Source, HclBody Body);

public sealed record HclBody(IReadOnlyList<HclAttribute> Attributes, IReadOnlyList<HclBlock> Blocks)
{
    public HclAttribute? Attribute(string name)
    {
        foreach (var attribute in Attributes)
            if (attribute.Name == name) return attribute;
        return null;
    }

    public IEnumerable<HclBlock> BlocksOfType(string type) => Blocks.Where(b => b.Type == type);
}

public sealed record HclAttribute(string Name, HclExpression Expression, int Start);

public sealed record HclBlock(string Type, IReadOnlyList<string> Labels, HclBody Body, int Start);

/// <summary>Base of every expression node; <see cref="Start"/>/<see cref="End"/> are offsets into the file's source text.</summary>
public abstract record HclExpression(int Start, int End)
{
    public string SourceText(string source) => source[Start..End];
}

/// <summary>A string, number, bool or null literal. Numbers keep their source text so no precision is lost.</summary>
public sealed record HclLiteral(HclLiteralKind Kind, string? Text, bool Bool, int Start, int End) : HclExpression(Start, End);

public enum HclLiteralKind { Null, Bool, Number, String }

/// <summary>A quoted string or heredoc; a pure literal has exactly one <see cref="HclTemplateLiteral"/> part (or none).</summary>
public sealed record HclTemplate(IReadOnlyList<HclTemplatePart> Parts, bool IsHeredoc, int Start, int End) : HclExpression(Start, End)
{
    /// <summary>True when the template has no interpolations or directives.</summary>
    public bool IsLiteral => Parts.All(p => p is HclTemplateLiteral);

    public string LiteralValue => string.Concat(Parts.Cast<HclTemplateLiteral>().Select(p => p.Value));
}

public abstract record HclTemplatePart;

public sealed record HclTemplateLiteral(string Value) : HclTemplatePart;

public sealed record HclTemplateInterpolation(HclExpression Expression) : HclTemplatePart;

public sealed record HclTemplateIf(HclExpression Condition, IReadOnlyList<HclTemplatePart> Then, IReadOnlyList<HclTemplatePart> Else) : HclTemplatePart;

public sealed record HclTemplateFor(string? KeyVariable, string ValueVariable, HclExpression Collection, IReadOnlyList<HclTemplatePart> Body) : HclTemplatePart;

public sealed record HclTuple(IReadOnlyList<HclExpression> Items, int Start, int End) : HclExpression(Start, End);

/// <summary>An object constructor. A bare identifier key is kept as <see cref="HclVariable"/> and means its name.</summary>
public sealed record HclObject(IReadOnlyList<HclObjectItem> Items, int Start, int End) : HclExpression(Start, End);

public sealed record HclObjectItem(HclExpression Key, HclExpression Value);

/// <summary>A root name such as <c>var</c> or a <c>for</c> iteration symbol.</summary>
public sealed record HclVariable(string Name, int Start, int End) : HclExpression(Start, End);

public sealed record HclGetAttribute(HclExpression Source, string Name, int Start, int End) : HclExpression(Start, End);

public sealed record HclIndex(HclExpression Source, HclExpression Key, int Start, int End) : HclExpression(Start, End);

/// <summary><c>source[*].each</c> or <c>source.*.each</c>; <see cref="Each"/> is applied to every element via <see cref="HclSplatItem"/>.</summary>
public sealed record HclSplat(HclExpression Source, HclExpression Each, int Start, int End) : HclExpression(Start, End);

public sealed record HclSplatItem(int Start, int End) : HclExpression(Start, End);

public sealed record HclFunctionCall(string Name, IReadOnlyList<HclExpression> Arguments, bool ExpandFinal, int Start, int End) : HclExpression(Start, End);

public sealed record HclUnary(char Operator, HclExpression Operand, int Start, int End) : HclExpression(Start, End);

public sealed record HclBinary(HclBinaryOperator Operator, HclExpression Left, HclExpression Right, int Start, int End) : HclExpression(Start, End);

public enum HclBinaryOperator { Or, And, Equal, NotEqual, Less, LessOrEqual, Greater, GreaterOrEqual, Add, Subtract, Multiply, Divide, Modulo }

public sealed record HclConditional(HclExpression Condition, HclExpression TrueResult, HclExpression FalseResult, int Start, int End) : HclExpression(Start, End);

public sealed record HclParentheses(HclExpression Inner, int Start, int End) : HclExpression(Start, End);

/// <summary><c>[for k, v in coll : value if cond]</c> or <c>{for k, v in coll : key => value... if cond}</c>.</summary>
public sealed record HclFor(
    string? KeyVariable, string ValueVariable, HclExpression Collection,
    HclExpression? KeyResult, HclExpression ValueResult, HclExpression? Condition, bool Grouping,
    int Start, int End) : HclExpression(Start, End)
{
    public bool IsObject => KeyResult is not null;
}
