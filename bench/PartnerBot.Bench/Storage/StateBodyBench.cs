using System.Buffers;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using PartnerBot.Api.Storage;
using PartnerBot.Bot.Conversations;
using PartnerBot.Bot.Dialogs;

namespace PartnerBot.Bench.Storage;

/// <summary>
/// A turn's conversation state (a deploy form open, 50 input fingerprints: about 1 KB) made into the stored JSON, the
/// way each of a turn's two writes does it: through a node tree (the baseline) or written straight from the object.
/// Run: dotnet run -c Release --project bench/PartnerBot.Bench -- --filter '*StateBodyBench*' --job short
/// </summary>
[MemoryDiagnoser]
public class StateBodyBench
{
    private const string Id = "dialog:slack%3AT0BENCH%3AU0USER0";
    private readonly ArrayBufferWriter<byte> _buffer = new(4096);
    private ConversationState _state = new();

    [GlobalSetup]
    public void Setup()
    {
        _state = JsonSerializer.Deserialize("""
            {"stack":[{"id":"deploy","state":{"phase":"Form","tab":"platform","module":"web-app","owner":"platform",
            "form":{"formId":"f1","step":1,"values":{"name":"shop","region":"europe-west1"}},"confirmId":null}}],
            "recentInputs":[],"address":{"team":"T0BENCH","channel":"C0BENCH","user":"U0USER0","ephemeral":true},"lease":null}
            """, DialogJson.Context.ConversationState)!;
        for (var i = 0; i < 50; i++) _state.MarkProcessed("Ev0" + i);
    }

    [Benchmark(Baseline = true)]
    public int Through_a_node_tree()
    {
        _buffer.ResetWrittenCount();
        DocumentRules.WriteBody(_buffer, Id, JsonSerializer.SerializeToNode(_state, DialogJson.Context.ConversationState)!.AsObject());
        return _buffer.WrittenCount;
    }

    [Benchmark]
    public int Typed()
    {
        _buffer.ResetWrittenCount();
        DocumentRules.WriteBody(_buffer, Id, _state, DialogJson.Context.ConversationState);
        return _buffer.WrittenCount;
    }
}
