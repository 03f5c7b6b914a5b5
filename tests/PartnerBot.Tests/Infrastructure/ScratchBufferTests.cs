using System.Buffers;
using PartnerBot.Api.Json;

namespace PartnerBot.Tests.Infrastructure;

public sealed class ScratchBufferTests
{
    [Fact]
    public void A_returned_buffer_comes_back_empty_and_a_nested_rent_gets_another()
    {
        // A fresh thread, so no other test's buffers are in its slots.
        OnFreshThread(() =>
        {
            var outer = ScratchBuffer.Rent();
            outer.Write("outer"u8);
            var inner = ScratchBuffer.Rent();
            Assert.NotSame(outer, inner);
            inner.Write("inner"u8);
            Assert.Equal("outer"u8.ToArray(), outer.WrittenSpan.ToArray());
            ScratchBuffer.Return(inner);
            ScratchBuffer.Return(outer);

            var again = ScratchBuffer.Rent();
            Assert.True(ReferenceEquals(again, outer) || ReferenceEquals(again, inner));
            Assert.Equal(0, again.WrittenCount);
            var second = ScratchBuffer.Rent();
            Assert.True(ReferenceEquals(second, outer) || ReferenceEquals(second, inner));
            Assert.NotSame(again, second);
            var third = ScratchBuffer.Rent();
            Assert.NotSame(outer, third);
            Assert.NotSame(inner, third);
        });
    }

    [Fact]
    public void A_buffer_grown_by_a_large_document_is_let_go()
    {
        OnFreshThread(() =>
        {
            var large = ScratchBuffer.Rent();
            large.Write(new byte[1024 * 1024]);
            ScratchBuffer.Return(large);
            Assert.NotSame(large, ScratchBuffer.Rent());
        });
    }

    private static void OnFreshThread(Action test)
    {
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try { test(); }
            catch (Exception e) { failure = e; }
        });
        thread.Start();
        thread.Join();
        if (failure is not null) throw failure;
    }
}
