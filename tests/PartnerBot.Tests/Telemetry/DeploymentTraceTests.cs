using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;
using PartnerBot.Api.Deployments;
using PartnerBot.Api.Identity;
using PartnerBot.Api.Telemetry;
using PartnerBot.Bot.Channels.DirectLine;
using PartnerBot.Tests.Deployments;
using PartnerBot.Tests.Infrastructure;

namespace PartnerBot.Tests.Telemetry;

/// <summary>
/// A partner's deployment over Web Chat, with the real Terraform CLI applying the sample Network module, exports one
/// trace by OTLP/HTTP to a receiver on 127.0.0.1: the inbound request, the turn, its dialog and store calls, the
/// deployment run with <c>terraform init</c>, <c>plan</c> and <c>apply</c>, and the outbox delivery of its status,
/// all under one trace id, and none of the values the partner typed in any span.
/// </summary>
[Collection(ProcessWideTelemetry.Name)]
public sealed class DeploymentTraceTests : IAsyncLifetime
{
    private OtlpReceiver _receiver = null!;
    private BotTestHost _host = null!;

    public async Task InitializeAsync()
    {
        _receiver = await OtlpReceiver.StartAsync();
        _host = await BotTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Deployments:Runner"] = "Local",
            ["Deployments:RequirePlanApproval"] = "false",
            ["Telemetry:Otlp:Endpoint"] = _receiver.Endpoint,
            ["Telemetry:Otlp:Protocol"] = "http/protobuf",
        });
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    [TerraformFact]
    public async Task A_deployment_is_one_trace_from_the_turn_to_the_status_update_without_the_partners_values()
    {
        var projectId = "otel-" + Guid.NewGuid().ToString("N")[..10];
        const string typed = "deploy Network";
        var chat = await DirectLineTestClient.StartAsync(_host.Client);
        await chat.SendTextAsync(typed);
        var confirm = await FormDriver.FillRemainingStepsAsync(chat, await FormDriver.WaitForFormAsync(chat),
            new() { ["project_id"] = projectId, ["region"] = "europe-west1", ["subnet_count"] = "2", ["enable_nat"] = "true" });
        var deploy = DirectLineTestClient.Actions(confirm).Single(a => (string?)a["data"]?["verb"] == "deploy.confirm");
        await chat.SubmitAsync(deploy["data"]!.DeepClone().AsObject());
        await chat.WaitForCardAsync(c => DirectLineTestClient.AllText(c).Contains("Succeeded in"), TimeSpan.FromMinutes(3));

        var owner = await _host.Services.GetRequiredService<UserDirectory>().FindByIdentityAsync(DirectLineChannel.ChannelId, chat.UserId);
        var deployment = Assert.Single((await _host.Services.GetRequiredService<IDeploymentService>()
            .ListAsync(new DeploymentCaller(owner!.Id, false), false, null, null)).Items);
        Assert.Equal(DeploymentState.Success, deployment.State);

        // The delivery of the final state ends just after the card reached the conversation.
        Action flush = () => _host.Services.GetRequiredService<TracerProvider>().ForceFlush(10_000);
        var delivered = await _receiver.WaitForSpanAsync(s => s.Name == "outbox.deliver"
            && s.Tag(PartnerBotTelemetry.Tags.DeploymentId) == deployment.Id && s.Tag(PartnerBotTelemetry.Tags.DeploymentState) == "Success", flush);
        var run = await _receiver.WaitForSpanAsync(s => s.Name == "deployment.run" && s.Tag(PartnerBotTelemetry.Tags.DeploymentId) == deployment.Id, flush);
        Assert.Equal(0, _receiver.BadRequests);

        var traceId = run.TraceId;
        Assert.Equal(traceId, delivered.TraceId);
        var trace = _receiver.Spans.Where(s => s.TraceId == traceId).ToList();
        var names = trace.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);

        // The partner's action: the request that carried the confirmation, its turn and dialog, their store calls.
        var turn = Assert.Single(trace, s => s.Name == "turn");
        Assert.Equal("directline", turn.Tag(PartnerBotTelemetry.Tags.Channel));
        Assert.Equal("deploy.confirm", turn.Tag(PartnerBotTelemetry.Tags.Route));
        var request = Assert.Single(trace, s => s.SpanId == turn.ParentSpanId);
        Assert.Equal(ReceivedSpan.KindServer, request.Kind);
        Assert.StartsWith("POST", request.Name);
        var dialog = Assert.Single(trace, s => s.Name == "dialog");
        Assert.Equal(turn.SpanId, dialog.ParentSpanId);
        Assert.Equal("deploy.confirm", dialog.Tag(PartnerBotTelemetry.Tags.Route));
        Assert.Contains(trace, s => s.Name.StartsWith("store ", StringComparison.Ordinal) && s.ParentSpanId == dialog.SpanId);
        Assert.Contains(trace, s => s.Name.StartsWith("store ", StringComparison.Ordinal) && s.ParentSpanId == turn.SpanId);

        // The run continues that trace, with each Terraform command under it.
        Assert.Equal(dialog.SpanId, run.ParentSpanId);
        Assert.Equal("apply", run.Tag(PartnerBotTelemetry.Tags.DeploymentAction));
        Assert.Equal("Network", run.Tag(PartnerBotTelemetry.Tags.Module));
        foreach (var command in new[] { "terraform init", "terraform plan", "terraform apply" })
        {
            var step = trace.FirstOrDefault(s => s.Name == command);
            Assert.True(step is not null, $"no '{command}' span in the trace; it has: {string.Join(", ", names.Order())}");
            Assert.Equal(run.SpanId, step.ParentSpanId);
        }

        // The status updates continue it too, and carry the channel they went to.
        var deliveries = trace.Where(s => s.Name == "outbox.deliver").ToList();
        Assert.Contains(deliveries, d => d.Tag(PartnerBotTelemetry.Tags.DeploymentState) == "Queued");
        Assert.All(deliveries, d =>
        {
            Assert.Equal(deployment.Id, d.Tag(PartnerBotTelemetry.Tags.DeploymentId));
            Assert.Equal("directline", d.Tag(PartnerBotTelemetry.Tags.Channel));
        });
        Assert.Contains(delivered.ParentSpanId, trace.Select(s => s.SpanId));

        // One tree: a single root (the inbound request, or the test client's call that sent it), every other span's
        // parent in the trace.
        var ids = trace.Select(s => s.SpanId).ToHashSet(StringComparer.Ordinal);
        var root = Assert.Single(trace, s => s.ParentSpanId is null || !ids.Contains(s.ParentSpanId));
        Assert.True(root == request || root.SpanId == request.ParentSpanId, "the trace starts at " + root.Name);

        // Nothing the partner typed, and no token, in any span of any trace this host exported.
        var values = _receiver.Spans.SelectMany(s => s.AllValues).ToList();
        Assert.DoesNotContain(values, v => v.Contains(projectId, StringComparison.Ordinal));
        Assert.DoesNotContain(values, v => v.Contains(typed, StringComparison.Ordinal));
        Assert.DoesNotContain(values, v => v.Contains(chat.Token, StringComparison.Ordinal));
        Assert.DoesNotContain(values, v => v.Contains("europe-west1", StringComparison.Ordinal));
    }
}
