using System.Text.Json.Nodes;
using PartnerBot.Api.Modules;
using PartnerBot.Bot.Cli;

namespace PartnerBot.Tests.Modules;

/// <summary>Metadata as the platform's repositories write it, including the older string-typed scalars.</summary>
public sealed class ModuleMetadataTests
{
    private static string Legacy(string name) => Path.Combine(AppContext.BaseDirectory, "TestData", "Modules", "legacy", name);

    /// <summary>A module declaring <c>public_access</c> plus one more metadata variable written as <paramref name="variable"/>.</summary>
    private static TerraformModule ModuleWith(string name, string type, string defaultValue)
    {
        var publicAccess = name == "public_access" ? "" : "variable \"public_access\" {\n  type    = bool\n  default = true\n}\n";
        var source = publicAccess + $"variable \"{name}\" {{\n  type    = {type}\n  default = {defaultValue}\n}}\n";
        return ModuleLoader.LoadFiles("m", new Dictionary<string, string> { ["variables.tf"] = source }).Module!;
    }

    public static TheoryData<string, string, decimal> ReadableCosts => new()
    {
        { "number", "250", 250m },
        { "string", "\"250\"", 250m },
        { "string", "\" 50 \"", 50m },
        { "string", "\"12.5\"", 12.5m },
        { "string", "\"0\"", 0m },
        { "any", "\"1e3\"", 1000m },
        { "number", "12.5", 12.5m },
    };

    [Theory]
    [MemberData(nameof(ReadableCosts))]
    public void Credit_cost_is_read_from_a_number_or_a_numeric_string(string type, string value, decimal expected)
    {
        var module = ModuleWith("credit_cost", type, value);
        Assert.True(module.Valid, string.Join("; ", module.Problems));
        Assert.Empty(module.Problems);
        Assert.Equal(expected, module.Metadata.CreditCost);
    }

    public static TheoryData<string, string, string> UnreadableCosts => new()
    {
        { "string", "\"cheap\"", "credit_cost: \"cheap\" is not a number." },
        { "string", "\"\"", "credit_cost: \"\" is not a number." },
        { "string", "\"12,5\"", "credit_cost: \"12,5\" is not a number." },
        { "string", "\"Infinity\"", "credit_cost: \"Infinity\" is not a number." },
        { "list(string)", "[\"250\"]", "credit_cost: [\"250\"] is not a number." },
        { "bool", "true", "credit_cost: true is not a number." },
        { "map(string)", "{ amount = \"250\" }", "credit_cost: {\"amount\":\"250\"} is not a number." },
        { "number", "-5", "credit_cost: -5 is negative; a cost is 0 or more." },
        { "string", "\"-5\"", "credit_cost: \"-5\" is negative; a cost is 0 or more." },
        { "number", "var.price", "credit_cost: the default is not a constant value." },
    };

    [Theory]
    [MemberData(nameof(UnreadableCosts))]
    public void A_cost_that_cannot_be_read_makes_the_module_invalid_and_names_the_value(string type, string value, string problem)
    {
        var module = ModuleWith("credit_cost", type, value);
        Assert.False(module.Valid);
        Assert.Contains(problem, module.Problems);
    }

    public static TheoryData<string, string, string, bool> ReadableFlags => new()
    {
        { "require_credit_purchases", "bool", "true", true },
        { "require_credit_purchases", "string", "\"true\"", true },
        { "require_credit_purchases", "string", "\"false\"", false },
        { "enable_purge", "string", "\"true\"", true },
        { "enable_purge", "string", "\" false \"", false },
        { "enable_purge", "any", "\"TRUE\"", true },
        { "public_access", "string", "\"true\"", true },
        { "public_access", "string", "\"False\"", false },
        { "public_access", "bool", "false", false },
    };

    [Theory]
    [MemberData(nameof(ReadableFlags))]
    public void Flags_are_read_from_a_bool_or_the_strings_true_and_false(string name, string type, string value, bool expected)
    {
        var module = ModuleWith(name, type, value);
        Assert.True(module.Valid, string.Join("; ", module.Problems));
        var m = module.Metadata;
        var actual = name switch
        {
            "require_credit_purchases" => m.RequireCreditPurchases,
            "enable_purge" => m.EnablePurge,
            _ => m.PublicAccess,
        };
        Assert.Equal(expected, actual);
    }

    public static TheoryData<string, string, string, string> UnreadableFlags => new()
    {
        { "require_credit_purchases", "string", "\"yes\"", "require_credit_purchases: \"yes\" is not true or false." },
        { "require_credit_purchases", "number", "1", "require_credit_purchases: 1 is not true or false." },
        { "enable_purge", "list(bool)", "[true]", "enable_purge: [true] is not true or false." },
        { "enable_purge", "string", "\"\"", "enable_purge: \"\" is not true or false." },
        { "public_access", "string", "\"public\"", "public_access: \"public\" is not true or false." },
    };

    [Theory]
    [MemberData(nameof(UnreadableFlags))]
    public void A_flag_that_cannot_be_read_makes_the_module_invalid_and_never_becomes_false(string name, string type, string value, string problem)
    {
        var module = ModuleWith(name, type, value);
        Assert.False(module.Valid);
        Assert.Contains(problem, module.Problems);
    }

    [Fact]
    public void Lists_and_texts_that_cannot_be_read_make_the_module_invalid_too()
    {
        var dependencies = ModuleWith("module_dependency", "string", "\"GCP_Project\"");
        Assert.False(dependencies.Valid);
        Assert.Contains("module_dependency: \"GCP_Project\" is not a list of strings.", dependencies.Problems);

        var description = ModuleWith("module_description", "any", "{ text = \"x\" }");
        Assert.False(description.Valid);
        Assert.Contains("module_description: {\"text\":\"x\"} is not a string.", description.Problems);
    }

    [Fact]
    public void A_metadata_variable_set_to_null_or_without_default_is_simply_not_set()
    {
        var nullCost = ModuleWith("credit_cost", "number", "null");
        Assert.True(nullCost.Valid, string.Join("; ", nullCost.Problems));
        Assert.Equal(0m, nullCost.Metadata.CreditCost);

        var nullPurge = ModuleWith("enable_purge", "bool", "null");
        Assert.True(nullPurge.Valid);
        Assert.Null(nullPurge.Metadata.EnablePurge);
    }

    [Fact]
    public void Old_style_modules_in_the_test_data_are_priced_and_flagged_as_written()
    {
        var stringCost = ModuleLoader.LoadDirectory(Legacy("StringCost")).Module!;
        Assert.True(stringCost.Valid, string.Join("; ", stringCost.Problems));
        Assert.Equal((250m, true, false, true), (stringCost.Metadata.CreditCost, stringCost.Metadata.RequireCreditPurchases,
            stringCost.Metadata.EnablePurge, stringCost.Metadata.PublicAccess));

        var spaced = ModuleLoader.LoadDirectory(Legacy("SpacedCost")).Module!;
        Assert.True(spaced.Valid, string.Join("; ", spaced.Problems));
        Assert.Equal((50m, false, true, false), (spaced.Metadata.CreditCost, spaced.Metadata.RequireCreditPurchases,
            spaced.Metadata.EnablePurge, spaced.Metadata.PublicAccess));

        var fractional = ModuleLoader.LoadDirectory(Legacy("FractionalCost")).Module!;
        Assert.True(fractional.Valid, string.Join("; ", fractional.Problems));
        Assert.Equal((12.5m, false, true, true), (fractional.Metadata.CreditCost, fractional.Metadata.RequireCreditPurchases,
            fractional.Metadata.EnablePurge, fractional.Metadata.PublicAccess));
    }

    [Fact]
    public void Module_inspect_prints_the_numbers_and_booleans_of_old_style_modules()
    {
        var output = new StringWriter();
        var names = new[] { "StringCost", "SpacedCost", "FractionalCost", "WordCost", "ListCost", "NegativeCost", "UnclearFlag" };
        Assert.Equal(0, ModuleCommands.Inspect(names.Select(Legacy), json: true, output));
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonNode.Parse(l)!.AsObject()).ToDictionary(o => (string)o["name"]!);

        void Priced(string name, decimal cost, bool purchases, bool purge, bool publicAccess)
        {
            var line = lines[name];
            Assert.True((bool)line["valid"]!, line.ToJsonString());
            var metadata = line["metadata"]!;
            // A JSON number, not a string: INTERFACES.md fixes creditCost as a number.
            Assert.Equal(System.Text.Json.JsonValueKind.Number, metadata["creditCost"]!.GetValueKind());
            Assert.Equal(cost, (decimal)metadata["creditCost"]!);
            Assert.Equal(purchases, (bool)metadata["requireCreditPurchases"]!);
            Assert.Equal(purge, (bool)metadata["enablePurge"]!);
            Assert.Equal(publicAccess, (bool)metadata["publicAccess"]!);
        }
        Priced("StringCost", 250m, true, false, true);
        Priced("SpacedCost", 50m, false, true, false);
        Priced("FractionalCost", 12.5m, false, true, true);

        void Invalid(string name, string problem)
        {
            var line = lines[name];
            Assert.False((bool)line["valid"]!);
            Assert.Contains(problem, line["problems"]!.AsArray().Select(p => (string)p!));
        }
        Invalid("WordCost", "credit_cost: \"cheap\" is not a number.");
        Invalid("ListCost", "credit_cost: [\"250\"] is not a number.");
        Invalid("NegativeCost", "credit_cost: \"-5\" is negative; a cost is 0 or more.");
        Invalid("UnclearFlag", "public_access: \"yes\" is not true or false.");
    }
}
