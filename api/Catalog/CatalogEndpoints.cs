using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using PartnerBot.Api.Http;
using PartnerBot.Api.Modules;

namespace PartnerBot.Api.Catalog;

/// <summary>A module input as the API shows it (sensitive defaults are never shown).</summary>
public sealed record ModuleInputView(
    string Name, string? Type, string? Description, bool Required, bool Sensitive, JsonNode? Default,
    int? Group, int? Order, bool UpdateSafe);

public sealed record ModuleView(
    string Name,
    string Owner,
    string Scope,
    string? Description,
    string? Documentation,
    IReadOnlyList<string> Dependencies,
    IReadOnlyList<string> Services,
    decimal CreditCost,
    bool RequireCreditPurchases,
    bool EnablePurge,
    IReadOnlyList<ModuleInputView> Inputs)
{
    public static ModuleView From(CatalogModule module)
    {
        var m = module.Model.Metadata;
        var inputs = module.Model.Variables.Where(v => !v.IsMetadata)
            .OrderBy(v => v.Group ?? int.MaxValue).ThenBy(v => v.Order ?? int.MaxValue).ThenBy(v => v.Name, StringComparer.Ordinal)
            .Select(v => new ModuleInputView(v.Name, v.Type, v.Description, v.Required, v.Sensitive,
                v.Sensitive || !v.HasDefault ? null : v.Default?.DeepClone(), v.Group, v.Order, v.UpdateSafe))
            .ToList();
        return new ModuleView(module.Name, module.Owner, module.IsPlatform ? "platform" : "partner", m.Description, m.Documentation,
            m.Dependencies, m.Services, m.CreditCost, m.RequireCreditPurchases, m.EnablePurge == true, inputs);
    }
}

public sealed record ModuleListResponse(IReadOnlyList<ModuleView> Items, string? ContinuationToken);

public static class CatalogEndpoints
{
    public static RouteGroupBuilder MapCatalogEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet(ApiRoutes.Modules, ListAsync).WithName("ListModules").WithTags("Catalog").Produces<ModuleListResponse>();
        api.MapGet(ApiRoutes.Module, GetAsync).WithName("GetModule").WithTags("Catalog")
            .Produces<ModuleView>().ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    private static async Task<IResult> ListAsync(HttpRequest request, ICurrentCaller caller, IModuleCatalog catalog, CancellationToken ct)
    {
        var (pageSize, problem) = ApiInput.PageSize(request.Query["pageSize"], 50, 200);
        if (problem is not null) return problem;
        var scope = CatalogScope.All;
        if (request.Query["scope"].ToString() is { Length: > 0 } rawScope
            && (!Enum.TryParse(rawScope, ignoreCase: true, out scope) || int.TryParse(rawScope, out _)))
            return ApiProblems.BadRequest("scope must be all, platform or partner.");
        var page = await catalog.SearchAsync(new CatalogViewer(caller.UserId, caller.Email, caller.IsAdmin), new CatalogQuery
        {
            Text = request.Query["q"].ToString() is { Length: > 0 } q ? q : null,
            Service = request.Query["service"].ToString() is { Length: > 0 } s ? s : null,
            Scope = scope,
            PageSize = pageSize,
            ContinuationToken = request.Query["continuationToken"].ToString() is { Length: > 0 } t ? t : null,
        }, ct);
        return ApiResults.Ok(new ModuleListResponse(page.Items.Select(ModuleView.From).ToList(), page.ContinuationToken));
    }

    private static async Task<IResult> GetAsync(string name, HttpRequest request, ICurrentCaller caller, IModuleCatalog catalog,
        CancellationToken ct)
    {
        var owner = request.Query["owner"].ToString() is { Length: > 0 } o ? o : null;
        var module = await catalog.FindAsync(new CatalogViewer(caller.UserId, caller.Email, caller.IsAdmin), name, owner, ct);
        return module is null ? ApiProblems.NotFound($"There is no module called '{name}' that you can see.") : ApiResults.Ok(ModuleView.From(module));
    }
}
