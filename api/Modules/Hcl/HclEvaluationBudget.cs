using System.Diagnostics;

namespace PartnerBot.Api.Modules.Hcl;

/// <summary>
/// How much work one evaluation of module text may do. Module expressions are untrusted: a nested <c>for</c> over
/// <c>range()</c>, a quadratic set function or a string built up in a loop must end quickly instead of hanging or
/// exhausting memory. Running out makes the result undecided (<see cref="HclUndecidedException"/>), so the check is
/// left to Terraform at plan time; it never passes or fails a value by itself.
/// </summary>
public sealed record HclEvaluationBudget
{
    /// <summary>The limits every evaluator uses unless it is given others.</summary>
    public static HclEvaluationBudget Default { get; } = new();

    /// <summary>Evaluation steps per evaluation: each expression node, each iteration of a <c>for</c>, each element a function touches (default 100,000).</summary>
    public long MaxSteps { get; init; } = 100_000;

    /// <summary>The most elements one <c>range()</c> may produce here (default 1,024, Terraform's own limit; a lower value makes larger ranges undecided).</summary>
    public int MaxRangeLength { get; init; } = TerraformMaxRangeLength;

    /// <summary>The longest string an evaluation may build, in UTF-16 characters (default 1,048,576).</summary>
    public int MaxStringLength { get; init; } = 1024 * 1024;

    /// <summary>The wall-clock time one evaluation may take, regular expression matches included (default 2 s).</summary>
    public TimeSpan MaxDuration { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Terraform's <c>range()</c> refuses to produce more than this many values.</summary>
    public const int TerraformMaxRangeLength = 1024;

    /// <summary>A fresh meter for one evaluation.</summary>
    internal HclBudgetMeter Start() => new(this);
}

/// <summary>The steps and time one evaluation has used so far against its <see cref="HclEvaluationBudget"/>.</summary>
internal sealed class HclBudgetMeter(HclEvaluationBudget budget)
{
    private readonly long _started = Stopwatch.GetTimestamp();
    private long _steps;
    private long _nextTimeCheck = TimeCheckInterval;
    private const long TimeCheckInterval = 256;

    public HclEvaluationBudget Budget { get; } = budget;

    public long Steps => _steps;

    /// <summary>Counts <paramref name="steps"/> more steps; over the budget (steps or time) the evaluation is undecided.</summary>
    public void Charge(long steps = 1)
    {
        _steps += Math.Max(0, steps);
        if (_steps > Budget.MaxSteps)
            throw new HclUndecidedException($"the expression needs more than {Budget.MaxSteps} evaluation steps");
        // Reading the clock every step would cost more than the step itself.
        if (_steps >= _nextTimeCheck)
        {
            _nextTimeCheck = _steps + TimeCheckInterval;
            CheckTime();
        }
    }

    public void CheckTime()
    {
        if (Stopwatch.GetElapsedTime(_started) > Budget.MaxDuration)
            throw new HclUndecidedException($"the expression took longer than {Budget.MaxDuration.TotalSeconds:0.##} s to evaluate");
    }

    /// <summary>Refuses a string longer than the budget allows (checked before building it where the length is known).</summary>
    public void CheckLength(long length)
    {
        if (length > Budget.MaxStringLength)
            throw new HclUndecidedException($"the expression builds a string longer than {Budget.MaxStringLength} characters");
    }
}
