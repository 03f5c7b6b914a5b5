using System.Buffers;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using PartnerBot.Bot.Channels.Slack;
using PartnerBot.Cards;
using PartnerBot.Cards.AdaptiveCards;
using PartnerBot.Cards.BlockKit;
using PartnerBot.Cards.Model;

namespace PartnerBot.Bench.Slack;

/// <summary>
/// A catalog page (eight modules with their Deploy buttons, tabs, search, paging), the card most Slack turns answer
/// with, turned into the chat.postMessage body. Baseline: the same message as a Teams Adaptive Card, written to UTF-8.
/// Run: dotnet run -c Release --project bench/PartnerBot.Bench -- --filter '*SlackMessageBench*' --job short
/// </summary>
[MemoryDiagnoser]
public class SlackMessageBench
{
    private readonly ArrayBufferWriter<byte> _buffer = new(64 * 1024);
    private UiMessage _catalog = null!;

    [GlobalSetup]
    public void Setup()
    {
        var entries = Enumerable.Range(1, 20).Select(i => new CatalogEntryView(
            $"Module{i:00}", $"Description of module {i}, with **bold** words and a [link](https://example.org/{i}) & more.",
            i % 5 * 10, i % 3 == 0 ? ["Cloud Run", "Cloud SQL"] : ["GKE"], ModuleSource.Platform)).ToList();
        _catalog = CatalogCard.Build(entries, ModuleSource.Platform, null, 0);
    }

    [Benchmark(Baseline = true)]
    public int TeamsCard()
    {
        _buffer.ResetWrittenCount();
        using var writer = new Utf8JsonWriter(_buffer, CardJson.WriterOptions);
        AdaptiveCardRenderer.RenderAttachment(_catalog, CardHost.Teams).WriteTo(writer);
        writer.Flush();
        return _buffer.WrittenCount;
    }

    [Benchmark]
    public int SlackPostMessageBody()
    {
        var message = BlockKitRenderer.RenderMessage(_catalog);
        return SlackJsonBody.Write([new("channel", "C0BENCH"), new("text", message.Text), SlackJsonField.Raw("blocks", message.BlocksJson)]).Length;
    }
}
