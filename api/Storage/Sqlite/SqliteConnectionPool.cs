using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;

namespace PartnerBot.Api.Storage.Sqlite;

/// <summary>
/// A small pool of open connections with the per-connection pragmas already applied, so an operation costs no
/// open or pragma call. Microsoft.Data.Sqlite's own pool is off because it cannot tell a fresh connection from a
/// reused one, which would mean re-running the pragmas on every open.
/// </summary>
internal sealed class SqliteConnectionPool(string connectionString, int maxIdle) : IDisposable
{
    private readonly ConcurrentBag<SqliteConnection> _idle = [];
    private volatile bool _disposed;

    public SqliteConnection Rent()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_idle.TryTake(out var pooled)) return pooled;
        return Open();
    }

    /// <summary>A new connection with the pragmas applied, owned by the caller.</summary>
    public SqliteConnection Open()
    {
        var connection = new SqliteStatementConnection(connectionString);
        connection.Open();
        using var pragma = connection.CreateCommand();
        // busy_timeout makes writers queue behind BEGIN IMMEDIATE instead of failing with SQLITE_BUSY.
        pragma.CommandText = "PRAGMA busy_timeout = 30000; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = OFF; PRAGMA secure_delete = ON;";
        pragma.ExecuteNonQuery();
        return connection;
    }

    public void Return(SqliteConnection connection)
    {
        if (_disposed || _idle.Count >= maxIdle || connection.State != System.Data.ConnectionState.Open) connection.Dispose();
        else _idle.Add(connection);
    }

    public void Dispose()
    {
        _disposed = true;
        while (_idle.TryTake(out var connection)) connection.Dispose();
    }
}
