using System.Text.Json.Nodes;

namespace PartnerBot.Api.Support;

public enum TicketStatus { New, InProgress, Resolved, Closed }

public static class TicketCategories
{
    public static IReadOnlyList<string> All { get; } = ["Deployment", "Billing", "Publishing", "Access", "Other"];

    public static string? Normalize(string? value) =>
        All.FirstOrDefault(c => string.Equals(c, value?.Trim(), StringComparison.OrdinalIgnoreCase));
}

/// <summary>One message on a ticket: the request itself, a staff reply or the customer's answer.</summary>
/// <param name="FromStaff">True for support staff, false for the customer.</param>
public sealed record TicketEntry(string AuthorId, string AuthorName, bool FromStaff, string Text, DateTimeOffset At);

/// <summary>Where a ticket's notifications go.</summary>
public static class DeliveryTargets
{
    public const string StaffSlack = "staff-slack";
    public const string StaffTeams = "staff-teams";
    public const string Customer = "customer";
}

/// <summary>What a pending delivery says.</summary>
public static class DeliveryKinds
{
    /// <summary>The forwarded request card (staff channels).</summary>
    public const string Forward = "forward";
    /// <summary>An entry of the conversation (staff reply to the customer, customer answer to staff).</summary>
    public const string Entry = "entry";
    /// <summary>A status change (customer).</summary>
    public const string Status = "status";
}

/// <summary>
/// A notification the ticket still owes (the ticket document is its own outbox): written in the same replace as the
/// change it announces, removed once delivered, retried with back-off until then.
/// </summary>
public sealed record TicketDelivery(
    string Id,
    string Target,
    string Kind,
    int EntryIndex,
    TicketStatus? Status,
    int Attempts,
    long DueAtMs,
    string? LastError,
    bool Dead = false);

/// <summary>A support ticket (container <c>tickets</c>, partition = the requester's user id, id = ticket id).</summary>
public sealed record SupportTicket(
    [property: System.Text.Json.Serialization.JsonPropertyName("ticketId")] string Id,
    string RequesterId,
    string RequesterName,
    string? RequesterEmail,
    string Subject,
    string Category,
    TicketStatus Status,
    string? DeploymentId,
    string? ModuleName,
    IReadOnlyList<string> TechnicalSupportUsers,
    string? AssigneeId,
    string? AssigneeName,
    IReadOnlyList<TicketEntry> Entries,
    string ConversationChannel,
    JsonObject ConversationAddress,
    JsonObject? SlackThread,
    JsonObject? TeamsThread,
    IReadOnlyList<TicketDelivery> Pending,
    int PendingCount,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public bool IsOpen => Status is TicketStatus.New or TicketStatus.InProgress;

    public string Message => Entries.Count > 0 ? Entries[0].Text : "";

    public Identity.HeldTicket Held => new(RequesterId, AssigneeId, IsOpen);

    public static string StatusText(TicketStatus status) => status switch
    {
        TicketStatus.New => "New",
        TicketStatus.InProgress => "In progress",
        TicketStatus.Resolved => "Resolved",
        _ => "Closed",
    };
}

/// <summary>What the customer submitted.</summary>
public sealed record NewTicket(
    string RequesterId,
    string RequesterName,
    string? RequesterEmail,
    string Subject,
    string Category,
    string Message,
    string? DeploymentId,
    string? ModuleName,
    IReadOnlyList<string> TechnicalSupportUsers,
    string ConversationChannel,
    JsonObject ConversationAddress);

/// <summary>A ticket as the REST API shows it (no conversation addresses, no delivery bookkeeping).</summary>
public sealed record TicketView(
    string Id,
    string RequesterId,
    string RequesterName,
    string Subject,
    string Category,
    TicketStatus Status,
    string? DeploymentId,
    string? ModuleName,
    string? AssigneeId,
    string? AssigneeName,
    IReadOnlyList<TicketEntry> Entries,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public static TicketView From(SupportTicket t) => new(t.Id, t.RequesterId, t.RequesterName, t.Subject, t.Category, t.Status,
        t.DeploymentId, t.ModuleName, t.AssigneeId, t.AssigneeName, t.Entries, t.CreatedAt, t.UpdatedAt);
}

/// <summary>A customer's deployment as support staff may see it: what and how it is doing, never inputs or outputs.</summary>
public sealed record SupportDeploymentView(
    string Id,
    string ModuleName,
    string State,
    string? Message,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);
