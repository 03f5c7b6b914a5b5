using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;

namespace PartnerBot.Api.Storage.Sqlite;

/// <summary>
/// The one connection of this process that writes. Writers queue here instead of sleeping in SQLite's busy handler
/// (which polls with growing sleeps and turns a burst of writes into a long tail), and whatever queued while one
/// transaction ran commits together in the next: a burst of N writes costs one commit, not N.
/// </summary>
/// <remarks>
/// Every operation must do its checks first and write with its last statement, so an operation that fails leaves
/// nothing behind and the rest of its batch still commits. When SQLite itself fails a statement, the batch is rolled
/// back and each of its operations is retried in a transaction of its own, so one bad write fails only itself.
/// Readers use their own connections: in WAL mode they never wait for the writer.
/// </remarks>
internal sealed class SqliteWriter : IDisposable
{
    private const int MaxBatch = 256;

    private readonly ConcurrentQueue<WriteOperation> _queue = new();
    // A kernel wait, not BlockingCollection's: its spin-before-block burned a tenth of the CPU of a busy host.
    private readonly AutoResetEvent _signal = new(false);
    private int _sleeping;
    private volatile bool _closed;
    private readonly Func<SqliteConnection> _open;
    private readonly Thread _thread;
    private SqliteConnection? _connection;

    public SqliteWriter(Func<SqliteConnection> open, string name)
    {
        _open = open;
        _thread = new Thread(Loop) { IsBackground = true, Name = "sqlite-writer " + name };
        _thread.Start();
    }

    /// <summary>Runs <paramref name="operation"/> on the writer connection inside a transaction; completes after the commit.</summary>
    public Task<T> Enqueue<T>(Func<SqliteConnection, T> operation)
    {
        if (_closed) return Task.FromException<T>(new ObjectDisposedException(nameof(SqliteDocumentStore)));
        var write = new WriteOperation<T>(operation);
        _queue.Enqueue(write);
        if (Interlocked.Exchange(ref _sleeping, 0) == 1) _signal.Set();
        return write.Task;
    }

    public void Dispose()
    {
        _closed = true;
        _signal.Set();
        if (Thread.CurrentThread != _thread) _thread.Join(TimeSpan.FromSeconds(30));
        _connection?.Dispose();
        while (_queue.TryDequeue(out var abandoned)) abandoned.Fail(new ObjectDisposedException(nameof(SqliteDocumentStore)));
    }

    private void Loop()
    {
        var batch = new List<WriteOperation>(MaxBatch);
        while (true)
        {
            if (!_queue.TryDequeue(out var first))
            {
                if (_closed) return;
                Interlocked.Exchange(ref _sleeping, 1);
                // A write queued between the failed dequeue and the flag found no sleeper to wake: look again.
                if (!_queue.IsEmpty || _closed) Volatile.Write(ref _sleeping, 0);
                else _signal.WaitOne();
                continue;
            }
            batch.Add(first);
            while (batch.Count < MaxBatch && _queue.TryDequeue(out var next)) batch.Add(next);
            try
            {
                Commit(batch);
            }
            catch (SqliteException) when (batch.Count > 1)
            {
                foreach (var write in batch) CommitAlone(write);
            }
            catch (Exception e)
            {
                foreach (var write in batch) write.Fail(e);
            }
            batch.Clear();
        }
    }

    private void CommitAlone(WriteOperation write)
    {
        try
        {
            Commit([write]);
        }
        catch (Exception e)
        {
            write.Fail(e);
        }
    }

    /// <summary>One transaction for the batch; results are handed out only once it is durable.</summary>
    private void Commit(IReadOnlyList<WriteOperation> batch)
    {
        var connection = Connection();
        Execute(connection, "BEGIN IMMEDIATE");
        var committed = false;
        try
        {
            foreach (var write in batch) write.Run(connection);
            Execute(connection, "COMMIT");
            committed = true;
        }
        finally
        {
            if (!committed) Rollback(connection);
        }
        foreach (var write in batch) write.Publish();
    }

    private SqliteConnection Connection()
    {
        if (_connection is { State: System.Data.ConnectionState.Open }) return _connection;
        _connection?.Dispose();
        _connection = null;
        _connection = _open();
        // Checkpoints are the checkpointer's work; the writer's own commit takes one only when that falls behind.
        Execute(_connection, $"PRAGMA wal_autocheckpoint = {SqliteCheckpointer.BackstopPages}");
        return _connection;
    }

    private void Rollback(SqliteConnection connection)
    {
        try
        {
            Execute(connection, "ROLLBACK");
        }
        catch (SqliteException)
        {
            // SQLite already rolled back on its own (as it does after some I/O errors); a fresh connection starts over.
            _connection?.Dispose();
            _connection = null;
        }
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private abstract class WriteOperation
    {
        /// <summary>Runs the operation; an exception other than <see cref="SqliteException"/> is its own result.</summary>
        public abstract void Run(SqliteConnection connection);

        /// <summary>Completes the caller's task with what <see cref="Run"/> produced (after the commit).</summary>
        public abstract void Publish();

        public abstract void Fail(Exception e);
    }

    private sealed class WriteOperation<T>(Func<SqliteConnection, T> operation) : WriteOperation
    {
        private readonly TaskCompletionSource<T> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T? _result;
        private Exception? _error;

        public Task<T> Task => _done.Task;

        public override void Run(SqliteConnection connection)
        {
            _error = null;
            try
            {
                _result = operation(connection);
            }
            catch (Exception e) when (e is not SqliteException)
            {
                _error = e;
            }
        }

        public override void Publish()
        {
            if (_error is null) _done.TrySetResult(_result!);
            else _done.TrySetException(_error);
        }

        public override void Fail(Exception e) => _done.TrySetException(e is SqliteException sqlite
            ? new StorageException(StorageErrorKind.Unavailable, $"SQLite error: {sqlite.Message}", sqlite)
            : e);
    }
}
