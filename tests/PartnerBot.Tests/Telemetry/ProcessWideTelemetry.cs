namespace PartnerBot.Tests.Telemetry;

/// <summary>
/// The meter and the activity source are process-wide: every host's exporters see what every other host in the test
/// process measures. Tests that count metrics or collect spans run in this collection, after the parallel tests and one
/// at a time, so what they read was caused by them.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWideTelemetry
{
    public const string Name = "Process-wide telemetry";
}
