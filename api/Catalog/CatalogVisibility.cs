namespace PartnerBot.Api.Catalog;

/// <summary>Who may see (and so deploy) a catalog module.</summary>
public static class CatalogVisibility
{
    public static bool CanSee(CatalogViewer viewer, CatalogModule module)
    {
        if (viewer.IsAdmin) return true;
        if (!module.IsPlatform) return module.Owner == viewer.UserId;
        if (module.Model.Metadata.PublicAccess == true) return true;
        return viewer.Email is { Length: > 0 } email
            && (module.Model.Metadata.SharedUsers.Contains(email, StringComparer.OrdinalIgnoreCase)
                || module.Model.Metadata.TechnicalSupportUsers.Contains(email, StringComparer.OrdinalIgnoreCase));
    }
}
