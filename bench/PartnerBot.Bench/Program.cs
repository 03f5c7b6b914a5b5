using BenchmarkDotNet.Running;

namespace PartnerBot.Bench;

// Run: dotnet run -c Release --project bench/PartnerBot.Bench -- --filter '*'
public static class BenchProgram
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(BenchProgram).Assembly).Run(args);
}
