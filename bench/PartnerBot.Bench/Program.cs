using BenchmarkDotNet.Running;
using PartnerBot.Bench.Load;

namespace PartnerBot.Bench;

// Code paths (BenchmarkDotNet):  dotnet run -c Release --project bench/PartnerBot.Bench -- --filter '*'
// Host start to /readyz:         dotnet run -c Release --project bench/PartnerBot.Bench -- startup [--runs 5]
// Direct Line "help" turns:      dotnet run -c Release --project bench/PartnerBot.Bench -- directline [--connections 16] [--turns 50]
public static class BenchProgram
{
    public static async Task<int> Main(string[] args)
    {
        switch (args.FirstOrDefault())
        {
            case "startup":
                return await StartupBenchmark.RunAsync(args[1..]);
            case "directline":
                return await DirectLineLoad.RunAsync(args[1..]);
            default:
                BenchmarkSwitcher.FromAssembly(typeof(BenchProgram).Assembly).Run(args);
                return 0;
        }
    }
}
