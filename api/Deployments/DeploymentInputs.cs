using System.Text.Json.Nodes;
using PartnerBot.Api.Modules;

namespace PartnerBot.Api.Deployments;

/// <summary>Checks a partner's inputs against a module and splits them into plain and sensitive values.</summary>
public static class DeploymentInputs
{
    /// <summary>The module's partner-facing variables (metadata variables are never inputs).</summary>
    public static IEnumerable<ModuleVariable> InputVariables(TerraformModule module) => module.Variables.Where(v => !v.IsMetadata);

    /// <summary>Structural checks (unknown names, required values, nulls) followed by the module's own validations.</summary>
    public static IReadOnlyList<InputError> Validate(TerraformModule module, IReadOnlyDictionary<string, string> files, JsonObject inputs)
    {
        var errors = new List<InputError>();
        var variables = InputVariables(module).ToDictionary(v => v.Name, StringComparer.Ordinal);
        foreach (var (name, value) in inputs)
        {
            if (ModuleMetadata.VariableNames.Contains(name))
                errors.Add(new InputError(name, $"'{name}' is set by the module, not by the deployment."));
            else if (!variables.TryGetValue(name, out var variable))
                errors.Add(new InputError(name, $"The module {module.Name} has no input called '{name}'."));
            else if (value is null && !variable.Nullable)
                errors.Add(new InputError(name, $"'{name}' cannot be empty."));
        }
        foreach (var variable in variables.Values.Where(v => v.Required && !inputs.ContainsKey(v.Name)))
            errors.Add(new InputError(variable.Name, $"'{variable.Name}' is required."));
        if (errors.Count > 0) return errors;

        return ModuleInputChecks.Check(module, files, inputs);
    }

    /// <summary>Every variable's effective value: the input when given, otherwise the module default.</summary>
    public static JsonObject WithDefaults(TerraformModule module, JsonObject inputs)
    {
        var values = new JsonObject();
        foreach (var variable in InputVariables(module))
        {
            if (inputs.TryGetPropertyValue(variable.Name, out var given)) values[variable.Name] = given?.DeepClone();
            else if (variable.HasDefault) values[variable.Name] = variable.Default?.DeepClone();
        }
        return values;
    }
}
