using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using PartnerBot.Api.Modules;
using PartnerBot.Cards;
using PartnerBot.Cards.AdaptiveCards;
using PartnerBot.Cards.BlockKit;
using PartnerBot.Cards.Forms;

namespace PartnerBot.Bot.Cli;

/// <summary><c>module form DIR --channel teams|webchat|slack [--mode create|update] --json</c>: the provisioning form as the bot sends it.</summary>
internal static class ModuleFormCommand
{
    public static Command Create(InvocationDirectory invocation)
    {
        var directory = new Argument<string>("DIR") { Description = "Module folder; the *.tf files directly in it are parsed." };
        var channel = new Option<string>("--channel")
        {
            Description = "Where the form is shown: teams, webchat (Adaptive Cards) or slack (modal views).",
            Required = true,
        };
        channel.AcceptOnlyFromAmong("teams", "webchat", "slack");
        var mode = new Option<string>("--mode") { Description = "create (default) or update.", DefaultValueFactory = _ => "create" };
        mode.AcceptOnlyFromAmong("create", "update");
        var json = new Option<bool>("--json") { Description = "Print a JSON array with one card or view per form step." };

        var form = new Command("form", "Print a module's provisioning form, one element per step.") { directory, channel, mode, json };
        form.SetAction(parseResult => Run(
            parseResult.GetValue(directory)!, parseResult.GetValue(channel)!, parseResult.GetValue(mode) ?? "create",
            parseResult.GetValue(json), Console.Out, Console.Error, invocation));
        return form;
    }

    internal static int Run(string directory, string channel, string mode, bool json, TextWriter output, TextWriter error,
        InvocationDirectory? invocation = null)
    {
        var result = ModuleLoader.LoadDirectory(directory, invocation?.Path);
        if (result.Module is not { } module)
        {
            error.WriteLine($"{result.Name}: {result.Error}");
            return 1;
        }
        var form = ProvisioningFormBuilder.Build(module, mode == "update" ? ProvisioningFormMode.Update : ProvisioningFormMode.Create);
        var values = new Dictionary<string, string?>();
        var errors = new Dictionary<string, string>();
        var steps = new JsonArray();
        for (var i = 0; i < form.Steps.Count; i++)
            steps.Add(channel switch
            {
                "teams" => AdaptiveCardRenderer.RenderFormStep(form, i, values, errors, CardHost.Teams),
                "webchat" => AdaptiveCardRenderer.RenderFormStep(form, i, values, errors, CardHost.WebChat),
                _ => BlockKitRenderer.RenderModal(form, i, values, errors),
            });

        if (json)
        {
            output.WriteLine(steps.ToJsonString(CardJson.Indented));
            return 0;
        }
        output.WriteLine($"{form.Title} ({form.Steps.Count} steps, {channel})");
        for (var i = 0; i < form.Steps.Count; i++)
        {
            var step = form.Steps[i];
            output.WriteLine($"  {AdaptiveCardRenderer.StepCaption(form, i)}, {CardJson.Utf8Size(steps[i]!)} bytes");
            foreach (var input in step.Inputs)
                output.WriteLine($"    - {input.Id}: {input.Kind}{(input.Required ? ", required" : "")}{(input.ReadOnly ? ", read-only" : "")}");
        }
        return 0;
    }
}
