using Microsoft.Data.Sqlite;

namespace PartnerBot.Api.Storage.Sqlite;

/// <summary>
/// A connection that keeps its commands by SQL text, so a statement run again is not parsed and planned again: SQLite
/// resets and rebinds a prepared statement for a fraction of what preparing it costs. A connection is used by one
/// operation at a time (the pool and the writer guarantee it), so the cache needs no lock.
/// </summary>
internal sealed class SqliteStatementConnection(string connectionString) : SqliteConnection(connectionString)
{
    /// <summary>Distinct statements kept per connection; the store's keyed statements are about a dozen.</summary>
    internal const int Capacity = 32;

    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);

    /// <summary>The statements this connection keeps prepared now.</summary>
    internal int Kept => _commands.Count;

    /// <summary>
    /// The command for <paramref name="sql"/> with no parameters bound. Dispose the lease, not the command: a kept
    /// command stays for the next use, one past <see cref="Capacity"/> is disposed.
    /// </summary>
    public StatementLease Statement(string sql)
    {
        if (_commands.TryGetValue(sql, out var kept))
        {
            kept.Parameters.Clear();
            return new StatementLease(kept, owned: false);
        }
        var command = CreateCommand();
        command.CommandText = sql;
        if (_commands.Count >= Capacity) return new StatementLease(command, owned: true);
        _commands.Add(sql, command);
        return new StatementLease(command, owned: false);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (var command in _commands.Values) command.Dispose();
            _commands.Clear();
        }
        base.Dispose(disposing);
    }
}

/// <summary>A command borrowed from <see cref="SqliteStatementConnection.Statement"/> for one operation.</summary>
internal readonly struct StatementLease(SqliteCommand command, bool owned) : IDisposable
{
    public SqliteCommand Command { get; } = command;

    public void Dispose()
    {
        if (owned) Command.Dispose();
    }
}
