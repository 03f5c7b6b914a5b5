using PartnerBot.Api.Catalog;
using PartnerBot.Api.Modules.Policy;

namespace PartnerBot.Api.Deployments.Runners.Isolation;

/// <summary>
/// The module policy again before every run: a partner module that got into the catalog while breaking it (published
/// under an older policy, or written to storage some other way) is refused, with the reasons on its card.
/// Platform modules are trusted.
/// </summary>
public static class PartnerModuleGate
{
    public static bool IsPartnerModule(RunRequest request) => request.Module.Owner != ModuleCatalog.PlatformOwner;

    public static string Message(ModuleAnalysis analysis) =>
        $"The module policy blocks this module, so it was not run: {analysis.Describe()}";

    /// <summary>The refusal for a partner module the policy blocks; null when it may run.</summary>
    public static RunOutcome? Check(this ModulePolicy policy, RunRequest request) =>
        Check(request, IsPartnerModule(request) ? policy.Analyze(request.Files) : null);

    internal static RunOutcome? Check(RunRequest request, ModuleAnalysis? analysis) =>
        IsPartnerModule(request) && analysis is { Allowed: false } ? RunOutcome.Failed(Message(analysis)) : null;
}
