using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace PartnerBot.Api.Storage.Sqlite;

/// <summary>
/// Copies the write-ahead log into the database file on its own thread and connection, a few times a second
/// (passive checkpoints: they never block the writer or readers). Left to SQLite, the commit that crosses 1,000 WAL
/// pages does the copy itself, and every write queued behind it waits. The writer keeps a larger automatic
/// checkpoint as a backstop for when these cannot keep up.
/// </summary>
internal sealed class SqliteCheckpointer : IDisposable
{
    /// <summary>WAL pages after which the writer's own commit checkpoints (only when this one falls behind).</summary>
    internal const int BackstopPages = 10_000;

    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);
    private readonly Func<SqliteConnection> _open;
    private readonly ILogger _logger;
    private readonly ManualResetEventSlim _stop = new(false);
    private readonly Thread _thread;

    public SqliteCheckpointer(Func<SqliteConnection> open, string name, ILogger logger)
    {
        _open = open;
        _logger = logger;
        _thread = new Thread(Loop) { IsBackground = true, Name = "sqlite-checkpoint " + name };
        _thread.Start();
    }

    private void Loop()
    {
        SqliteConnection? connection = null;
        try
        {
            while (!_stop.Wait(Interval))
            {
                try
                {
                    connection ??= _open();
                    using var command = connection.CreateCommand();
                    command.CommandText = "PRAGMA wal_checkpoint(PASSIVE)";
                    command.ExecuteNonQuery();
                }
                catch (SqliteException e)
                {
                    // The next round tries again on a fresh connection; the writer's backstop keeps the log bounded.
                    _logger.LogDebug(e, "WAL checkpoint failed");
                    connection?.Dispose();
                    connection = null;
                }
            }
        }
        finally
        {
            connection?.Dispose();
        }
    }

    public void Dispose()
    {
        _stop.Set();
        if (Thread.CurrentThread != _thread) _thread.Join(TimeSpan.FromSeconds(10));
        _stop.Dispose();
    }
}
