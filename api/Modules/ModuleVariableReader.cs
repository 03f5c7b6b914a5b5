using System.Text;
using System.Text.Json.Nodes;
using PartnerBot.Api.Modules.Hcl;

namespace PartnerBot.Api.Modules;

/// <summary>Turns a parsed <c>variable</c> block into a <see cref="ModuleVariable"/>, collecting problems instead of failing.</summary>
internal static class ModuleVariableReader
{
    private static readonly HashSet<string> KnownArguments = new(StringComparer.Ordinal)
    {
        "type", "description", "default", "sensitive", "nullable", "ephemeral",
    };

    public static ModuleVariable? Read(HclFile file, HclBlock block, List<string> problems)
    {
        var src = file.Source;
        string Where(int offset)
        {
            var (line, column) = HclSyntaxException.LineColumn(src, offset);
            return $"{file.FileName}:{line}:{column}";
        }

        if (block.Labels.Count != 1)
        {
            problems.Add($"{Where(block.Start)}: a variable block needs exactly one label (the variable name).");
            return null;
        }
        var name = block.Labels[0];
        var body = block.Body;

        foreach (var attribute in body.Attributes)
            if (!KnownArguments.Contains(attribute.Name))
                problems.Add($"{Where(attribute.Start)}: variable \"{name}\": unsupported argument \"{attribute.Name}\".");

        string? type = null;
        TerraformType? parsedType = null;
        if (body.Attribute("type") is { } typeAttribute)
        {
            type = TypeText(typeAttribute.Expression, src);
            try
            {
                parsedType = TerraformType.FromSyntax(typeAttribute.Expression, src);
            }
            catch (FormatException e)
            {
                problems.Add($"{Where(typeAttribute.Start)}: variable \"{name}\": invalid type constraint \"{type}\" ({e.Message}).");
            }
        }

        string? description = null;
        if (body.Attribute("description") is { } descriptionAttribute)
        {
            if (descriptionAttribute.Expression is HclTemplate template) description = TemplateText(template, src);
            else problems.Add($"{Where(descriptionAttribute.Start)}: variable \"{name}\": the description must be a string.");
        }

        JsonNode? defaultValue = null;
        var hasDefault = false;
        var defaultUnreadable = false;
        if (body.Attribute("default") is { } defaultAttribute)
        {
            hasDefault = true;
            try
            {
                defaultValue = new HclEvaluator().Evaluate(defaultAttribute.Expression).ToJson();
            }
            catch (Exception e) when (e is HclEvaluationException or HclUndecidedException or ArgumentException or OverflowException or InvalidOperationException)
            {
                defaultUnreadable = true;
                problems.Add($"{Where(defaultAttribute.Start)}: variable \"{name}\": the default must be a constant value ({e.Message}).");
            }
        }

        var sensitive = ReadBool(body, "sensitive", false, name, problems, Where);
        var nullable = ReadBool(body, "nullable", true, name, problems, Where);

        var validations = new List<VariableValidation>();
        foreach (var validation in block.Body.Blocks)
        {
            if (validation.Type != "validation")
            {
                problems.Add($"{Where(validation.Start)}: variable \"{name}\": unsupported block \"{validation.Type}\".");
                continue;
            }
            var condition = validation.Body.Attribute("condition");
            var message = validation.Body.Attribute("error_message");
            if (condition is null || message is null)
            {
                problems.Add($"{Where(validation.Start)}: variable \"{name}\": a validation block needs both condition and error_message.");
                continue;
            }
            var messageText = message.Expression is HclTemplate messageTemplate
                ? TemplateText(messageTemplate, src)
                : message.Expression.SourceText(src);
            validations.Add(new VariableValidation(condition.Expression.SourceText(src), messageText)
            {
                ConditionExpression = condition.Expression,
                ErrorMessageExpression = message.Expression,
            });
        }

        var meta = UiMeta.Parse(description);
        return new ModuleVariable(name, type, description, defaultValue, hasDefault, sensitive, nullable,
            meta.Group, meta.Order, meta.UpdateSafe, validations)
        {
            ParsedType = parsedType ?? (type is null ? TerraformType.Any : null),
            DefaultUnreadable = defaultUnreadable,
        };
    }

    private static bool ReadBool(HclBody body, string argument, bool fallback, string variable, List<string> problems, Func<int, string> where)
    {
        if (body.Attribute(argument) is not { } attribute) return fallback;
        try
        {
            if (new HclEvaluator().Evaluate(attribute.Expression) is HclBool value) return value.Value;
        }
        catch (Exception e) when (e is HclEvaluationException or HclUndecidedException)
        {
        }
        problems.Add($"{where(attribute.Start)}: variable \"{variable}\": {argument} must be true or false.");
        return fallback;
    }

    /// <summary>
    /// A template's string value when it is a plain literal; otherwise its text with interpolations and
    /// directives written out (<c>${expr}</c>, <c>%{if c}…%{endif}</c>) since there is nothing to evaluate them with.
    /// Interpolated literals (<c>${"x"}</c>, <c>${42}</c>) are folded into the text, as HCL's converters do.
    /// </summary>
    public static string TemplateText(HclTemplate template, string source)
    {
        if (template.IsLiteral) return template.LiteralValue;
        var builder = new StringBuilder();
        AppendTemplateText(builder, template.Parts, source);
        return builder.ToString();
    }

    private static void AppendTemplateText(StringBuilder builder, IReadOnlyList<HclTemplatePart> parts, string source)
    {
        foreach (var part in parts)
        {
            switch (part)
            {
                case HclTemplateLiteral literal:
                    builder.Append(literal.Value);
                    break;
                case HclTemplateInterpolation { Expression: HclLiteral literal }:
                    builder.Append(literal.Kind == HclLiteralKind.Null ? "null" : HclEvaluator.ToStringValue(new HclEvaluator().Evaluate(literal), "literal"));
                    break;
                case HclTemplateInterpolation { Expression: HclTemplate nested }:
                    builder.Append(TemplateText(nested, source));
                    break;
                case HclTemplateInterpolation interpolation:
                    builder.Append("${").Append(interpolation.Expression.SourceText(source)).Append('}');
                    break;
                case HclTemplateIf conditional:
                    builder.Append("%{if ").Append(conditional.Condition.SourceText(source)).Append('}');
                    AppendTemplateText(builder, conditional.Then, source);
                    if (conditional.Else.Count > 0)
                    {
                        builder.Append("%{else}");
                        AppendTemplateText(builder, conditional.Else, source);
                    }
                    builder.Append("%{endif}");
                    break;
                case HclTemplateFor loop:
                    builder.Append("%{for ");
                    if (loop.KeyVariable is not null) builder.Append(loop.KeyVariable).Append(", ");
                    builder.Append(loop.ValueVariable).Append(" in ").Append(loop.Collection.SourceText(source)).Append('}');
                    AppendTemplateText(builder, loop.Body, source);
                    builder.Append("%{endfor}");
                    break;
            }
        }
    }

    /// <summary>
    /// The type expression without whitespace and comments, object attributes separated by commas (also where the
    /// source used newlines); string literals inside (e.g. <c>optional</c> defaults) are kept as written.
    /// </summary>
    public static string TypeText(HclExpression expression, string source)
    {
        var builder = new StringBuilder();
        AppendTypeText(builder, expression, source);
        return builder.ToString();
    }

    private static void AppendTypeText(StringBuilder builder, HclExpression expression, string source)
    {
        switch (expression)
        {
            case HclVariable variable:
                builder.Append(variable.Name);
                break;
            case HclFunctionCall call:
                builder.Append(call.Name).Append('(');
                for (var i = 0; i < call.Arguments.Count; i++)
                {
                    if (i > 0) builder.Append(',');
                    AppendTypeText(builder, call.Arguments[i], source);
                }
                builder.Append(')');
                break;
            case HclObject obj:
                builder.Append('{');
                for (var i = 0; i < obj.Items.Count; i++)
                {
                    if (i > 0) builder.Append(',');
                    AppendTypeText(builder, obj.Items[i].Key, source);
                    builder.Append('=');
                    AppendTypeText(builder, obj.Items[i].Value, source);
                }
                builder.Append('}');
                break;
            case HclTuple tuple:
                builder.Append('[');
                for (var i = 0; i < tuple.Items.Count; i++)
                {
                    if (i > 0) builder.Append(',');
                    AppendTypeText(builder, tuple.Items[i], source);
                }
                builder.Append(']');
                break;
            default:
                builder.Append(CompactTypeText(expression.SourceText(source)));
                break;
        }
    }

    /// <summary>Source text without whitespace and comments outside string literals.</summary>
    public static string CompactTypeText(string text)
    {
        var builder = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '"')
            {
                var start = i++;
                while (i < text.Length && text[i] != '"')
                {
                    if (text[i] == '\\') i++;
                    i++;
                }
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
                i = close < 0 ? text.Length : close + 1;
                continue;
            }
            if (!char.IsWhiteSpace(c)) builder.Append(c);
        }
        return builder.ToString();
    }
}

/// <summary>The <c>{{UIMeta group=N order=M [updatesafe] }}</c> tag of a description.</summary>
public readonly record struct UiMeta(int? Group, int? Order, bool UpdateSafe)
{
    public static UiMeta Parse(string? description)
    {
        if (description is null) return default;
        var start = description.IndexOf("{{UIMeta", StringComparison.Ordinal);
        if (start < 0) return default;
        var end = description.IndexOf("}}", start, StringComparison.Ordinal);
        var body = description.AsSpan(start + 8, (end < 0 ? description.Length : end) - start - 8);
        int? group = null, order = null;
        var updateSafe = false;
        foreach (var range in body.SplitAny(" \t\r\n"))
        {
            var token = body[range];
            if (token.IsEmpty) continue;
            if (token.StartsWith("group=") && int.TryParse(token[6..], out var g)) group = g;
            else if (token.StartsWith("order=") && int.TryParse(token[6..], out var o)) order = o;
            else if (token.Equals("updatesafe", StringComparison.OrdinalIgnoreCase)) updateSafe = true;
        }
        return new UiMeta(group, order, updateSafe);
    }
}
