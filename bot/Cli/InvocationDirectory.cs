namespace PartnerBot.Bot.Cli;

/// <summary>
/// The directory the command was typed in, against which relative paths on the command line resolve.
/// <c>dotnet run</c> starts the program in the project folder (so the default database lands in <c>bot/data/</c>);
/// the project passes the caller's directory as a leading <c>--invocation-directory DIR</c> (see
/// <c>StartArguments</c> in the project file), which is taken off before the verbs are parsed. Started any other
/// way, the program's current directory is the one the command was typed in.
/// </summary>
internal sealed record InvocationDirectory(string Path)
{
    public const string Option = "--invocation-directory";

    /// <summary>Splits the leading <see cref="Option"/> off <paramref name="args"/>.</summary>
    public static (InvocationDirectory Directory, string[] Arguments) FromArguments(string[] args)
    {
        if (args.Length >= 2 && args[0] == Option && args[1].Length > 0)
            return (new InvocationDirectory(System.IO.Path.GetFullPath(args[1])), args[2..]);
        return (new InvocationDirectory(Environment.CurrentDirectory), args);
    }

    /// <summary>The absolute path of <paramref name="path"/> as typed (absolute paths stay as they are).</summary>
    public string Resolve(string path) => System.IO.Path.GetFullPath(path, Path);
}
