using System.Globalization;
using System.Text;

namespace PartnerBot.Api.Modules.Hcl;

/// <summary>Evaluation failed the way Terraform's would (e.g. <c>regex</c> without a match); <c>can</c> and <c>try</c> catch it.</summary>
public sealed class HclEvaluationException(string message) : Exception(message);

/// <summary>The expression needs something this evaluator does not have (an unknown function, a resource reference).</summary>
public sealed class HclUndecidedException(string reason) : Exception(reason);

/// <summary>
/// Evaluates Terraform expressions over known values: the subset a variable's <c>default</c>, validation
/// <c>condition</c> and <c>error_message</c> may use. Anything outside it raises <see cref="HclUndecidedException"/>
/// so the caller can defer the check to deploy time instead of guessing.
/// </summary>
public sealed class HclEvaluator
{
    private readonly IReadOnlyDictionary<string, HclValue> _roots;
    private readonly Dictionary<string, HclValue> _locals = new(StringComparer.Ordinal);
    private readonly HclEvaluationBudget _budget;
    private HclBudgetMeter? _meter;

    /// <param name="roots">Root objects by name, e.g. <c>var</c> → object of variable values.</param>
    /// <param name="budget">The work one <see cref="Evaluate"/> may do (<see cref="HclEvaluationBudget.Default"/> when null).</param>
    public HclEvaluator(IReadOnlyDictionary<string, HclValue>? roots = null, HclEvaluationBudget? budget = null)
    {
        _roots = roots ?? new Dictionary<string, HclValue>();
        _budget = budget ?? HclEvaluationBudget.Default;
    }

    /// <summary>
    /// Evaluates <paramref name="expression"/> within the budget: more steps, time or text than it allows raise
    /// <see cref="HclUndecidedException"/>, which <c>can()</c> and <c>try()</c> do not catch.
    /// </summary>
    public HclValue Evaluate(HclExpression expression)
    {
        if (_meter is not null) return Eval(expression);
        _meter = _budget.Start();
        try
        {
            var result = Eval(expression);
            Measure(result, _meter);
            return result;
        }
        finally
        {
            _meter = null;
        }
    }

    /// <summary>Charges a value's size (every node, and its total text) so a result cannot outgrow the budget once serialised.</summary>
    internal static void Measure(HclValue value, HclBudgetMeter meter)
    {
        long text = 0;
        var pending = new Stack<HclValue>();
        pending.Push(value);
        while (pending.TryPop(out var next))
        {
            meter.Charge();
            switch (next)
            {
                case HclString s:
                    text += s.Value.Length;
                    meter.CheckLength(text);
                    break;
                case HclList list:
                    foreach (var item in list.Items) pending.Push(item);
                    break;
                case HclMap map:
                    foreach (var (key, item) in map.Attributes)
                    {
                        text += key.Length;
                        pending.Push(item);
                    }
                    meter.CheckLength(text);
                    break;
            }
        }
    }

    private HclBudgetMeter Meter => _meter ?? throw new InvalidOperationException("evaluation outside Evaluate");

    private HclValue Eval(HclExpression expression)
    {
        Meter.Charge();
        return EvalNode(expression);
    }

    private HclValue EvalNode(HclExpression expression) => expression switch
    {
        HclLiteral literal => literal.Kind switch
        {
            HclLiteralKind.Null => HclValue.Null,
            HclLiteralKind.Bool => HclValue.Of(literal.Bool),
            HclLiteralKind.Number => HclNumber.Parse(literal.Text!),
            _ => new HclString(literal.Text!),
        },
        HclTemplate template => EvaluateTemplate(template),
        HclTuple tuple => new HclList(tuple.Items.Select(Evaluate).ToArray()),
        HclObject obj => EvaluateObject(obj),
        HclParentheses parentheses => Eval(parentheses.Inner),
        HclVariable variable => Lookup(variable),
        HclGetAttribute get => GetAttribute(Eval(get.Source), get.Name),
        HclIndex index => Index(Eval(index.Source), Eval(index.Key)),
        HclSplat splat => EvaluateSplat(splat),
        HclSplatItem => _locals.TryGetValue(SplatItemName, out var item) ? item : throw new HclUndecidedException("splat item outside a splat"),
        HclUnary unary => EvaluateUnary(unary),
        HclBinary binary => EvaluateBinary(binary),
        HclConditional conditional => ToBool(Eval(conditional.Condition), "condition")
            ? Eval(conditional.TrueResult)
            : Eval(conditional.FalseResult),
        HclFor forExpression => EvaluateFor(forExpression),
        HclFunctionCall call => CallFunction(call),
        _ => throw new HclUndecidedException($"unsupported expression {expression.GetType().Name}"),
    };

    private const string SplatItemName = "\0splat";

    private HclValue Lookup(HclVariable variable)
    {
        if (_locals.TryGetValue(variable.Name, out var local)) return local;
        if (_roots.TryGetValue(variable.Name, out var root)) return root;
        throw new HclUndecidedException($"'{variable.Name}' is not known before deployment");
    }

    private HclValue EvaluateObject(HclObject obj)
    {
        var result = new Dictionary<string, HclValue>(StringComparer.Ordinal);
        foreach (var item in obj.Items)
        {
            var key = item.Key switch
            {
                HclVariable bare => bare.Name,
                HclParentheses p => ToStringValue(Eval(p.Inner), "object key"),
                _ => ToStringValue(Eval(item.Key), "object key"),
            };
            result[key] = Eval(item.Value);
        }
        return new HclMap(result);
    }

    // ---------- templates ----------

    private HclValue EvaluateTemplate(HclTemplate template)
    {
        // A template that is exactly one interpolation yields the inner value unchanged, as in Terraform.
        if (template.Parts is [HclTemplateInterpolation only]) return Eval(only.Expression);
        var builder = new StringBuilder();
        AppendParts(builder, template.Parts);
        return new HclString(builder.ToString());
    }

    private void AppendParts(StringBuilder builder, IReadOnlyList<HclTemplatePart> parts)
    {
        foreach (var part in parts)
        {
            switch (part)
            {
                case HclTemplateLiteral literal:
                    builder.Append(literal.Value);
                    Meter.CheckLength(builder.Length);
                    break;
                case HclTemplateInterpolation interpolation:
                {
                    var value = Eval(interpolation.Expression);
                    if (value is HclNull) throw new HclEvaluationException("Invalid template interpolation value: the expression result is null.");
                    builder.Append(ToStringValue(value, "template interpolation"));
                    Meter.CheckLength(builder.Length);
                    break;
                }
                case HclTemplateIf conditional:
                    AppendParts(builder, ToBool(Eval(conditional.Condition), "template condition") ? conditional.Then : conditional.Else);
                    break;
                case HclTemplateFor loop:
                    foreach (var (key, value) in Iterate(Eval(loop.Collection)))
                    {
                        using var scope = Bind(loop.KeyVariable, key, loop.ValueVariable, value);
                        AppendParts(builder, loop.Body);
                    }
                    break;
            }
        }
    }

    // ---------- traversal ----------

    private static HclValue GetAttribute(HclValue source, string name) => source switch
    {
        HclMap obj => obj.Attributes.TryGetValue(name, out var value) ? value : throw new HclEvaluationException($"Unsupported attribute: this object does not have an attribute named \"{name}\"."),
        HclNull => throw new HclEvaluationException($"Attempt to get attribute \"{name}\" from a null value."),
        HclList => throw new HclEvaluationException($"Unsupported attribute: a list does not have an attribute named \"{name}\"; use a splat ([*])."),
        _ => throw new HclEvaluationException($"Unsupported attribute: a {source.TypeName} value does not have attributes."),
    };

    private static HclValue Index(HclValue source, HclValue key)
    {
        switch (source)
        {
            case HclList list:
            {
                var number = ToNumber(key, "index");
                if (number != Math.Floor(number)) throw new HclEvaluationException("Invalid index: the index must be a whole number.");
                if (number < 0 || number >= list.Items.Count) throw new HclEvaluationException($"Invalid index: the given index {number} is out of range for a list of {list.Items.Count} elements.");
                return list.Items[(int)number];
            }
            case HclMap obj:
            {
                var name = ToStringValue(key, "key");
                return obj.Attributes.TryGetValue(name, out var value) ? value : throw new HclEvaluationException($"Invalid index: the given key \"{name}\" does not identify an element in this collection value.");
            }
            case HclNull:
                throw new HclEvaluationException("Attempt to index a null value.");
            default:
                throw new HclEvaluationException($"Invalid index: a {source.TypeName} value cannot be indexed.");
        }
    }

    private HclValue EvaluateSplat(HclSplat splat)
    {
        var source = Eval(splat.Source);
        IReadOnlyList<HclValue> items = source switch
        {
            HclNull => [],
            HclList list => list.Items,
            _ => [source],
        };
        var results = new List<HclValue>(items.Count);
        foreach (var item in items)
        {
            Meter.Charge();
            using var scope = Bind(null, null, SplatItemName, item);
            results.Add(Eval(splat.Each));
        }
        return new HclList(results);
    }

    // ---------- operators ----------

    private HclValue EvaluateUnary(HclUnary unary)
    {
        var operand = Eval(unary.Operand);
        return unary.Operator == '!'
            ? HclValue.Of(!ToBool(operand, "operand of '!'"))
            : new HclNumber(-ToNumber(operand, "operand of '-'"));
    }

    private HclValue EvaluateBinary(HclBinary binary)
    {
        switch (binary.Operator)
        {
            // Short-circuit: the right side of the usual `var.x == null || check(var.x)` guard is not needed once
            // the left side decides, and evaluating it on null would only produce a spurious error.
            case HclBinaryOperator.Or:
                return ToBool(Eval(binary.Left), "left operand of '||'") ? HclValue.True : HclValue.Of(ToBool(Eval(binary.Right), "right operand of '||'"));
            case HclBinaryOperator.And:
                return !ToBool(Eval(binary.Left), "left operand of '&&'") ? HclValue.False : HclValue.Of(ToBool(Eval(binary.Right), "right operand of '&&'"));
        }
        var left = Eval(binary.Left);
        var right = Eval(binary.Right);
        switch (binary.Operator)
        {
            case HclBinaryOperator.Equal: return HclValue.Of(ValuesEqual(left, right, Meter));
            case HclBinaryOperator.NotEqual: return HclValue.Of(!ValuesEqual(left, right, Meter));
        }
        var a = ToNumber(left, "left operand");
        var b = ToNumber(right, "right operand");
        return binary.Operator switch
        {
            HclBinaryOperator.Less => HclValue.Of(a < b),
            HclBinaryOperator.LessOrEqual => HclValue.Of(a <= b),
            HclBinaryOperator.Greater => HclValue.Of(a > b),
            HclBinaryOperator.GreaterOrEqual => HclValue.Of(a >= b),
            HclBinaryOperator.Add => new HclNumber(a + b),
            HclBinaryOperator.Subtract => new HclNumber(a - b),
            HclBinaryOperator.Multiply => new HclNumber(a * b),
            HclBinaryOperator.Divide => b == 0 ? throw new HclEvaluationException("Division by zero.") : new HclNumber(a / b),
            HclBinaryOperator.Modulo => b == 0 ? throw new HclEvaluationException("Modulo by zero.") : new HclNumber(a % b),
            _ => throw new HclUndecidedException($"operator {binary.Operator}"),
        };
    }

    /// <summary>Equality as Terraform's <c>==</c>: numbers by value, strings ordinal, collections element-wise.</summary>
    public static bool ValuesEqual(HclValue left, HclValue right) => ValuesEqual(left, right, null);

    /// <summary>As <see cref="ValuesEqual(HclValue, HclValue)"/>, each value compared counting as one step of <paramref name="meter"/>.</summary>
    internal static bool ValuesEqual(HclValue left, HclValue right, HclBudgetMeter? meter)
    {
        meter?.Charge();
        return (left, right) switch
        {
            (HclNull, HclNull) => true,
            (HclNull, _) or (_, HclNull) => false,
            (HclNumber a, HclNumber b) => a.Value == b.Value,
            (HclString a, HclString b) => a.Value == b.Value,
            (HclBool a, HclBool b) => a.Value == b.Value,
            (HclList a, HclList b) => a.Items.Count == b.Items.Count && a.Items.Zip(b.Items).All(p => ValuesEqual(p.First, p.Second, meter)),
            (HclMap a, HclMap b) => a.Attributes.Count == b.Attributes.Count
                && a.Attributes.All(p => b.Attributes.TryGetValue(p.Key, out var v) && ValuesEqual(p.Value, v, meter)),
            _ => false,
        };
    }

    // ---------- for expressions ----------

    private HclValue EvaluateFor(HclFor expression)
    {
        var collection = Eval(expression.Collection);
        if (!expression.IsObject)
        {
            var items = new List<HclValue>();
            foreach (var (key, value) in Iterate(collection))
            {
                using var scope = Bind(expression.KeyVariable, key, expression.ValueVariable, value);
                if (expression.Condition is not null && !ToBool(Eval(expression.Condition), "'for' condition")) continue;
                items.Add(Eval(expression.ValueResult));
            }
            return new HclList(items);
        }

        var result = new Dictionary<string, HclValue>(StringComparer.Ordinal);
        var groups = expression.Grouping ? new Dictionary<string, List<HclValue>>(StringComparer.Ordinal) : null;
        foreach (var (key, value) in Iterate(collection))
        {
            using var scope = Bind(expression.KeyVariable, key, expression.ValueVariable, value);
            if (expression.Condition is not null && !ToBool(Eval(expression.Condition), "'for' condition")) continue;
            var resultKey = ToStringValue(Eval(expression.KeyResult!), "'for' key");
            var resultValue = Eval(expression.ValueResult);
            if (groups is not null)
            {
                if (!groups.TryGetValue(resultKey, out var group)) groups[resultKey] = group = [];
                group.Add(resultValue);
            }
            else if (!result.TryAdd(resultKey, resultValue))
                throw new HclEvaluationException($"Duplicate object key \"{resultKey}\" in 'for' expression; use '...' to group values.");
        }
        if (groups is not null)
            foreach (var (key, group) in groups) result[key] = new HclList(group);
        return new HclMap(result);
    }

    /// <summary>The elements a <c>for</c> visits; each iteration is one step of the budget.</summary>
    private IEnumerable<(HclValue Key, HclValue Value)> Iterate(HclValue collection)
    {
        switch (collection)
        {
            case HclList list:
                for (var i = 0; i < list.Items.Count; i++)
                {
                    Meter.Charge();
                    yield return (new HclNumber(i), list.Items[i]);
                }
                break;
            case HclMap obj:
                Meter.Charge(obj.Attributes.Count);
                foreach (var (key, value) in obj.Attributes.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    Meter.Charge();
                    yield return (new HclString(key), value);
                }
                break;
            case HclNull:
                throw new HclEvaluationException("Iteration over null value: a null value cannot be used as the collection in a 'for' expression.");
            default:
                throw new HclEvaluationException($"Iteration over non-iterable value: a {collection.TypeName} value cannot be used in a 'for' expression.");
        }
    }

    private ScopeBinding Bind(string? keyName, HclValue? key, string valueName, HclValue value)
    {
        var binding = new ScopeBinding(_locals);
        if (keyName is not null && key is not null) binding.Set(keyName, key);
        binding.Set(valueName, value);
        return binding;
    }

    private sealed class ScopeBinding(Dictionary<string, HclValue> locals) : IDisposable
    {
        private readonly List<(string Name, HclValue? Previous)> _saved = [];

        public void Set(string name, HclValue value)
        {
            _saved.Add((name, locals.TryGetValue(name, out var previous) ? previous : null));
            locals[name] = value;
        }

        public void Dispose()
        {
            for (var i = _saved.Count - 1; i >= 0; i--)
            {
                var (name, previous) = _saved[i];
                if (previous is null) locals.Remove(name);
                else locals[name] = previous;
            }
        }
    }

    // ---------- functions ----------

    private HclValue CallFunction(HclFunctionCall call)
    {
        switch (call.Name)
        {
            case "can":
                RequireArguments(call, 1);
                try
                {
                    Eval(call.Arguments[0]);
                    return HclValue.True;
                }
                catch (HclEvaluationException)
                {
                    return HclValue.False;
                }
            case "try":
                foreach (var argument in call.Arguments)
                {
                    try { return Eval(argument); }
                    catch (HclEvaluationException) { }
                }
                throw new HclEvaluationException("No expression succeeded: all arguments of try() failed.");
        }

        var arguments = new List<HclValue>(call.Arguments.Count);
        foreach (var argument in call.Arguments) arguments.Add(Eval(argument));
        if (call.ExpandFinal && arguments.Count > 0)
        {
            var last = arguments[^1];
            arguments.RemoveAt(arguments.Count - 1);
            if (last is not HclList expanded) throw new HclEvaluationException("Invalid expanding argument value: the final argument must be a list, tuple or set.");
            arguments.AddRange(expanded.Items);
        }
        return HclFunctions.Call(call.Name, arguments, Meter);
    }

    private static void RequireArguments(HclFunctionCall call, int count)
    {
        if (call.Arguments.Count != count) throw new HclEvaluationException($"Function \"{call.Name}\" expects {count} argument(s), got {call.Arguments.Count}.");
    }

    // ---------- conversions ----------

    public static bool ToBool(HclValue value, string what) => value switch
    {
        HclBool b => b.Value,
        HclString { Value: "true" } => true,
        HclString { Value: "false" } => false,
        HclNull => throw new HclEvaluationException($"Invalid {what}: the value is null; a bool is required."),
        _ => throw new HclEvaluationException($"Invalid {what}: a bool is required, got {value.TypeName}."),
    };

    public static double ToNumber(HclValue value, string what) => value switch
    {
        HclNumber n => n.Value,
        HclString s when HclNumber.TryParse(s.Value, out var parsed) => parsed.Value,
        HclNull => throw new HclEvaluationException($"Invalid {what}: the value is null; a number is required."),
        _ => throw new HclEvaluationException($"Invalid {what}: a number is required, got {value.TypeName}."),
    };

    /// <summary>A number as Terraform converts it to a string: shortest exact decimal, no exponent, no trailing zeros.</summary>
    public static string NumberText(HclNumber number)
    {
        if (number.Text is not null && decimal.TryParse(number.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out var exact))
            return (exact / 1.000000000000000000000000000000000m).ToString(CultureInfo.InvariantCulture);
        if (Math.Abs(number.Value) < 7.9e27 && decimal.TryParse(number.Value.ToString("R", CultureInfo.InvariantCulture), NumberStyles.Float, CultureInfo.InvariantCulture, out var converted))
            return (converted / 1.000000000000000000000000000000000m).ToString(CultureInfo.InvariantCulture);
        return number.Value.ToString("R", CultureInfo.InvariantCulture);
    }

    public static string ToStringValue(HclValue value, string what) => value switch
    {
        HclString s => s.Value,
        HclNumber n => NumberText(n),
        HclBool b => b.Value ? "true" : "false",
        HclNull => throw new HclEvaluationException($"Invalid {what}: the value is null; a string is required."),
        _ => throw new HclEvaluationException($"Invalid {what}: a string is required, got {value.TypeName}."),
    };
}
