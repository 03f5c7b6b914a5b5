using PartnerBot.Api.Credits;

namespace PartnerBot.Tests.Credits;

public class SpendOrderTests
{
    [Fact]
    public void Awarded_credits_are_spent_first()
    {
        var plan = SpendOrder.Plan(new CreditBalances(5, 5, 5), 3, SpendPolicy.AnyBucket);
        Assert.Equal(new CreditBalances(-3, 0, 0), plan);
    }

    [Fact]
    public void Subscription_credits_are_spent_after_awarded_ones()
    {
        var plan = SpendOrder.Plan(new CreditBalances(2, 5, 5), 6, SpendPolicy.AnyBucket);
        Assert.Equal(new CreditBalances(-2, -4, 0), plan);
    }

    [Fact]
    public void Top_up_credits_are_spent_last()
    {
        var plan = SpendOrder.Plan(new CreditBalances(2, 3, 10), 9, SpendPolicy.AnyBucket);
        Assert.Equal(new CreditBalances(-2, -3, -4), plan);
    }

    [Fact]
    public void A_debit_larger_than_the_total_is_refused()
    {
        Assert.Null(SpendOrder.Plan(new CreditBalances(2, 3, 4), 10, SpendPolicy.AnyBucket));
    }

    [Fact]
    public void Purchased_only_spends_top_up_and_nothing_else()
    {
        Assert.Equal(new CreditBalances(0, 0, -4), SpendOrder.Plan(new CreditBalances(100, 100, 4), 4, SpendPolicy.PurchasedOnly));
        Assert.Null(SpendOrder.Plan(new CreditBalances(100, 100, 3), 4, SpendPolicy.PurchasedOnly));
    }

    [Fact]
    public void Exact_balance_is_spent_to_zero()
    {
        var balance = new CreditBalances(1, 2, 3);
        var plan = SpendOrder.Plan(balance, 6, SpendPolicy.AnyBucket);
        Assert.Equal(CreditBalances.Zero, balance.Add(plan!));
    }
}
