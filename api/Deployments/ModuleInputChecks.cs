using System.Text.Json;
using System.Text.Json.Nodes;
using PartnerBot.Api.Modules;
using PartnerBot.Api.Modules.Hcl;

namespace PartnerBot.Api.Deployments;

/// <summary>Checks each given input against its variable's Terraform type (as Terraform converts tfvars JSON).</summary>
public static class ModuleInputChecks
{
    /// <summary>Type checks, then every <c>validation</c> block whose variable was given or defaulted.</summary>
    /// <param name="files">The module source: validation conditions are parsed from it (stored models keep only their text).</param>
    public static IReadOnlyList<InputError> Check(TerraformModule module, IReadOnlyDictionary<string, string> files, JsonObject inputs)
    {
        var errors = new List<InputError>();
        foreach (var variable in module.Variables.Where(v => !v.IsMetadata))
        {
            if (!inputs.TryGetPropertyValue(variable.Name, out var value) || value is null) continue;
            if (!TerraformType.TryParse(variable.Type, out var type)) continue;
            if (Conforms(value, type) is { } problem)
                errors.Add(new InputError(variable.Name, $"'{variable.Name}' {problem}."));
        }
        if (errors.Count > 0) return errors;
        return CheckValidations(module, files, inputs);
    }

    private static IReadOnlyList<InputError> CheckValidations(TerraformModule module, IReadOnlyDictionary<string, string> files,
        JsonObject inputs)
    {
        var parsed = files.Count > 0 ? ModuleLoader.LoadFiles(module.Name, files).Module ?? module : module;
        var values = DeploymentInputs.WithDefaults(parsed, inputs);
        var roots = new Dictionary<string, HclValue>(StringComparer.Ordinal) { ["var"] = HclValue.FromJson(values) };
        var errors = new List<InputError>();
        foreach (var variable in parsed.Variables.Where(v => !v.IsMetadata && values.ContainsKey(v.Name)))
        {
            foreach (var validation in variable.Validations)
            {
                if (validation.ConditionExpression is not { } condition) continue;
                try
                {
                    var evaluator = new HclEvaluator(roots);
                    if (HclEvaluator.ToBool(evaluator.Evaluate(condition), "condition")) continue;
                    errors.Add(new InputError(variable.Name, Message(evaluator, validation)));
                    break;
                }
                catch (HclUndecidedException)
                {
                    // A function the platform does not evaluate: Terraform checks it when the plan runs.
                }
                catch (HclEvaluationException e)
                {
                    errors.Add(new InputError(variable.Name, $"'{variable.Name}' is not valid: {e.Message}"));
                    break;
                }
            }
        }
        return errors;
    }

    private static string Message(HclEvaluator evaluator, VariableValidation validation)
    {
        if (validation.ErrorMessageExpression is { } expression)
        {
            try { return HclEvaluator.ToStringValue(evaluator.Evaluate(expression), "error_message"); }
            catch (Exception e) when (e is HclEvaluationException or HclUndecidedException) { }
        }
        return validation.ErrorMessage;
    }

    /// <summary>Null when <paramref name="value"/> fits <paramref name="type"/>, otherwise what is wrong.</summary>
    public static string? Conforms(JsonNode? value, TerraformType type)
    {
        if (value is null) return null;
        switch (type.Kind)
        {
            case TerraformTypeKind.Any:
                return null;
            case TerraformTypeKind.String:
                return value is JsonValue ? null : "must be text";
            case TerraformTypeKind.Number:
                return value.GetValueKind() == JsonValueKind.Number
                       || (value.GetValueKind() == JsonValueKind.String && double.TryParse(value.GetValue<string>(),
                           System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _))
                    ? null
                    : "must be a number";
            case TerraformTypeKind.Bool:
                return value.GetValueKind() is JsonValueKind.True or JsonValueKind.False
                       || (value.GetValueKind() == JsonValueKind.String && value.GetValue<string>() is "true" or "false")
                    ? null
                    : "must be true or false";
            case TerraformTypeKind.List or TerraformTypeKind.Set:
                if (value is not JsonArray list) return "must be a list";
                return list.Select(item => Conforms(item, type.Element ?? TerraformType.Any)).FirstOrDefault(p => p is not null) is { } inner
                    ? "has an item that " + inner
                    : null;
            case TerraformTypeKind.Map:
                if (value is not JsonObject map) return "must be a map of names to values";
                return map.Select(kv => Conforms(kv.Value, type.Element ?? TerraformType.Any)).FirstOrDefault(p => p is not null) is { } bad
                    ? "has a value that " + bad
                    : null;
            case TerraformTypeKind.Object:
                if (value is not JsonObject obj) return "must be an object";
                foreach (var attribute in type.Attributes ?? [])
                {
                    if (!obj.TryGetPropertyValue(attribute.Name, out var member))
                    {
                        if (!attribute.Optional) return $"needs the attribute '{attribute.Name}'";
                        continue;
                    }
                    if (Conforms(member, attribute.Type) is { } memberProblem) return $"has '{attribute.Name}' that {memberProblem}";
                }
                return null;
            case TerraformTypeKind.Tuple:
                var elements = type.TupleElements ?? [];
                if (value is not JsonArray tuple || tuple.Count != elements.Count) return $"must be a list of {elements.Count} items";
                return tuple.Select((item, i) => Conforms(item, elements[i])).FirstOrDefault(p => p is not null) is { } tupleProblem
                    ? "has an item that " + tupleProblem
                    : null;
            default:
                return null;
        }
    }
}
