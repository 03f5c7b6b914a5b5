using Xunit.Abstractions;
using Xunit.Sdk;

namespace PartnerBot.Tests.Storage;

/// <summary>
/// A fact that runs once per store adapter when written in an abstract base class: in a test class marked
/// <see cref="RequiresNodeAttribute"/> it is skipped, with the reason shown, where Node.js is not on PATH.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
[XunitTestCaseDiscoverer("PartnerBot.Tests.Storage.StoreFactDiscoverer", "PartnerBot.Tests")]
public sealed class StoreFactAttribute : FactAttribute;

/// <summary>Marks a test class whose store needs Node.js (the Cosmos DB protocol test server).</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = true)]
public sealed class RequiresNodeAttribute : Attribute;

/// <summary>A fact that needs Node.js: skipped, with the reason shown, where <c>node</c> is not on PATH.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class NodeFactAttribute : FactAttribute
{
    public NodeFactAttribute()
    {
        if (NodeJs.Path is null) Skip = NodeJs.MissingReason;
    }
}

public sealed class StoreFactDiscoverer(IMessageSink diagnosticMessageSink) : FactDiscoverer(diagnosticMessageSink)
{
    protected override IXunitTestCase CreateTestCase(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute)
    {
        var needsNode = testMethod.TestClass.Class.ToRuntimeType().IsDefined(typeof(RequiresNodeAttribute), inherit: true);
        if (!needsNode || NodeJs.Path is not null) return base.CreateTestCase(discoveryOptions, testMethod, factAttribute);
        return new XunitSkippedDataRowTestCase(DiagnosticMessageSink, discoveryOptions.MethodDisplayOrDefault(),
            discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod, NodeJs.MissingReason);
    }
}

/// <summary>Finds <c>node</c> and <c>npm</c> on PATH.</summary>
public static class NodeJs
{
    public const string MissingReason = "Node.js is not on PATH: the Cosmos DB protocol test server (tests/cosmos-server) cannot run.";

    public static string? Path { get; } = Find("node");
    public static string? NpmPath { get; } = Find("npm");

    private static string? Find(string name)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var directory in path.Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (var candidate in OperatingSystem.IsWindows() ? [name + ".exe", name + ".cmd"] : new[] { name })
            {
                var full = System.IO.Path.Combine(directory, candidate);
                if (File.Exists(full)) return full;
            }
        }
        return null;
    }
}
