using System.Text.Json.Nodes;
using PartnerBot.Api.Modules.Hcl;

namespace PartnerBot.Api.Modules;

/// <summary>A submitted (or defaulted) value that fails; <see cref="Message"/> is the module's <c>error_message</c> or a conversion message.</summary>
public sealed record InputError(string Variable, string Message, string? Detail = null);

/// <summary>A validation condition that can only be checked at deploy time (it needs something not known here).</summary>
public sealed record DeferredCondition(string Variable, string Condition, string ErrorMessage, string Reason);

/// <summary>The outcome of checking a submission: converted values per input variable, errors, and deferred checks.</summary>
public sealed record ValidationReport(
    IReadOnlyDictionary<string, JsonNode?> Values,
    IReadOnlyList<InputError> Errors,
    IReadOnlyList<DeferredCondition> Deferred)
{
    public bool IsValid => Errors.Count == 0;

    public IEnumerable<InputError> ErrorsFor(string variable) => Errors.Where(e => e.Variable == variable);
}

/// <summary>
/// Server-side check of a provisioning form: converts each submitted string to the variable's type, applies
/// defaults, and evaluates the module's validation conditions. A condition the evaluator cannot decide is
/// reported in <see cref="ValidationReport.Deferred"/>, never treated as passed.
/// </summary>
public static class ModuleInputValidator
{
    /// <param name="submitted">Variable name → form text (JSON text for structured types); null or absent means "not provided".</param>
    public static ValidationReport Validate(TerraformModule module, IReadOnlyDictionary<string, string?> submitted)
    {
        var errors = new List<InputError>();
        var deferred = new List<DeferredCondition>();
        var values = new Dictionary<string, HclValue>(StringComparer.Ordinal);
        var inputs = module.Variables.Where(v => !v.IsMetadata).ToDictionary(v => v.Name, StringComparer.Ordinal);

        foreach (var name in submitted.Keys)
        {
            if (inputs.ContainsKey(name)) continue;
            errors.Add(new InputError(name, ModuleMetadata.VariableNames.Contains(name)
                ? $"\"{name}\" is set by the module itself and cannot be submitted."
                : $"The module has no input named \"{name}\"."));
        }

        foreach (var variable in inputs.Values)
        {
            var type = variable.ParsedType;
            if (type is null && !TerraformType.TryParse(variable.Type, out type))
            {
                errors.Add(new InputError(variable.Name, $"The module declares an invalid type \"{variable.Type}\" for this input."));
                continue;
            }
            try
            {
                HclValue value = HclValue.Null;
                var provided = submitted.TryGetValue(variable.Name, out var text) && text is not null;
                if (provided) value = TerraformValueConverter.FromText(type, text!);
                if (value is HclNull)
                {
                    if (variable.HasDefault) value = TerraformValueConverter.Convert(type, HclValue.FromJson(variable.Default?.DeepClone()), "default");
                    else
                    {
                        errors.Add(new InputError(variable.Name, "A value is required."));
                        continue;
                    }
                }
                if (value is HclNull && !variable.Nullable)
                {
                    errors.Add(new InputError(variable.Name, "A value is required (this input cannot be null)."));
                    continue;
                }
                values[variable.Name] = value;
            }
            catch (ValueConversionException e)
            {
                errors.Add(new InputError(variable.Name, e.Message));
            }
        }

        var roots = new Dictionary<string, HclValue>(StringComparer.Ordinal) { ["var"] = new HclMap(values) };
        foreach (var variable in inputs.Values)
        {
            if (!values.ContainsKey(variable.Name)) continue; // its value is already in error; its conditions would only echo that
            foreach (var validation in variable.Validations)
                Check(variable, validation, roots, errors, deferred);
        }

        var json = values.ToDictionary(p => p.Key, p => p.Value.ToJson(), StringComparer.Ordinal);
        return new ValidationReport(json, errors, deferred);
    }

    private static void Check(ModuleVariable variable, VariableValidation validation, Dictionary<string, HclValue> roots,
        List<InputError> errors, List<DeferredCondition> deferred)
    {
        var condition = validation.ConditionExpression;
        if (condition is null)
        {
            try { condition = HclParser.ParseExpression(validation.Condition); }
            catch (HclSyntaxException e)
            {
                deferred.Add(new DeferredCondition(variable.Name, validation.Condition, validation.ErrorMessage, e.Message));
                return;
            }
        }
        var evaluator = new HclEvaluator(roots);
        try
        {
            var result = evaluator.Evaluate(condition);
            if (result is HclBool { Value: true }) return;
            if (result is HclBool) errors.Add(new InputError(variable.Name, RenderMessage(validation, evaluator)));
            else errors.Add(new InputError(variable.Name, RenderMessage(validation, evaluator), $"The condition produced {result.TypeName}, not a bool."));
        }
        catch (HclUndecidedException e)
        {
            deferred.Add(new DeferredCondition(variable.Name, validation.Condition, validation.ErrorMessage, $"checked at deploy time: {e.Message}"));
        }
        catch (Exception e) when (e is ArgumentException or OverflowException or InvalidOperationException or FormatException or InsufficientExecutionStackException)
        {
            // A gap in the evaluator must never pass a value silently: leave the check to Terraform.
            deferred.Add(new DeferredCondition(variable.Name, validation.Condition, validation.ErrorMessage, $"checked at deploy time: {e.Message}"));
        }
        catch (HclEvaluationException e)
        {
            // Terraform rejects the value when its condition cannot be evaluated (e.g. regex() on a non-match outside can()).
            errors.Add(new InputError(variable.Name, RenderMessage(validation, evaluator), e.Message));
        }
    }

    /// <summary>The error message, with interpolations such as <c>${var.port}</c> filled in when they can be evaluated.</summary>
    private static string RenderMessage(VariableValidation validation, HclEvaluator evaluator)
    {
        if (validation.ErrorMessageExpression is not HclTemplate { IsLiteral: false } template) return validation.ErrorMessage;
        try
        {
            return HclEvaluator.ToStringValue(evaluator.Evaluate(template), "error_message");
        }
        catch (Exception e) when (e is HclEvaluationException or HclUndecidedException)
        {
            return validation.ErrorMessage;
        }
    }
}
