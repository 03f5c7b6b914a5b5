using PartnerBot.Api.Deployments;

namespace PartnerBot.Tests.Deployments;

public class DeploymentTransitionsTests
{
    [Theory]
    [InlineData(DeploymentState.Queued, DeploymentState.Pending)]
    [InlineData(DeploymentState.Pending, DeploymentState.Working)]
    [InlineData(DeploymentState.Working, DeploymentState.Success)]
    [InlineData(DeploymentState.Working, DeploymentState.Timeout)]
    [InlineData(DeploymentState.Waiting, DeploymentState.Queued)]
    [InlineData(DeploymentState.Success, DeploymentState.Queued)]
    [InlineData(DeploymentState.Pending, DeploymentState.Planning)]
    [InlineData(DeploymentState.Planning, DeploymentState.PlanReady)]
    [InlineData(DeploymentState.Planning, DeploymentState.Working)]
    [InlineData(DeploymentState.PlanReady, DeploymentState.Queued)]
    [InlineData(DeploymentState.PlanReady, DeploymentState.Discarded)]
    [InlineData(DeploymentState.PlanReady, DeploymentState.Expired)]
    [InlineData(DeploymentState.PlanReady, DeploymentState.Success)]
    [InlineData(DeploymentState.Pending, DeploymentState.Deleting)]
    [InlineData(DeploymentState.Deleting, DeploymentState.Deleted)]
    [InlineData(DeploymentState.Failure, DeploymentState.Queued)]
    [InlineData(DeploymentState.Discarded, DeploymentState.Deleted)]
    public void Allowed_transitions(DeploymentState from, DeploymentState to) => Assert.True(DeploymentTransitions.IsAllowed(from, to));

    [Theory]
    [InlineData(DeploymentState.Queued, DeploymentState.Success)]
    [InlineData(DeploymentState.Deleted, DeploymentState.Queued)]
    [InlineData(DeploymentState.Success, DeploymentState.Working)]
    [InlineData(DeploymentState.Deleting, DeploymentState.Success)]
    [InlineData(DeploymentState.Working, DeploymentState.Deleted)]
    [InlineData(DeploymentState.Success, DeploymentState.Deleting)]
    [InlineData(DeploymentState.PlanReady, DeploymentState.Working)]
    [InlineData(DeploymentState.PlanReady, DeploymentState.Deleted)]
    [InlineData(DeploymentState.Queued, DeploymentState.PlanReady)]
    [InlineData(DeploymentState.Discarded, DeploymentState.Working)]
    public void Refused_transitions(DeploymentState from, DeploymentState to) => Assert.False(DeploymentTransitions.IsAllowed(from, to));

    [Fact]
    public void Deleted_is_final() => Assert.Empty(DeploymentTransitions.From(DeploymentState.Deleted));

    [Fact]
    public void A_refused_transition_leaves_the_record_unchanged()
    {
        var deployment = new Deployment
        {
            Id = "d", PartnerId = "p", CreatedBy = "p", Module = new ModuleReference("Tiny", "platform"), State = DeploymentState.Deleted,
        };
        Assert.Null(deployment.Transition(DeploymentState.Queued, "again", "p", DateTimeOffset.UtcNow));
    }

    [Fact]
    public void Each_transition_is_recorded_with_its_time_and_a_new_sequence()
    {
        var at = new DateTimeOffset(2026, 11, 23, 22, 0, 0, TimeSpan.Zero);
        var deployment = new Deployment { Id = "d", PartnerId = "p", CreatedBy = "p", Module = new ModuleReference("Tiny", "platform") }
            .Record(DeploymentState.Queued, "Queued.", "p", at)
            .Transition(DeploymentState.Pending, "Preparing.", "system", at.AddSeconds(1))!;

        Assert.Equal(2, deployment.Sequence);
        Assert.True(deployment.OutboxPending);
        Assert.Equal([(1, DeploymentState.Queued, at), (2, DeploymentState.Pending, at.AddSeconds(1))],
            deployment.History.Select(h => (h.Sequence, h.State, h.At)));
    }
}
