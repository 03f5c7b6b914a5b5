using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using WireMock;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Types;
using WireMock.Util;

namespace PartnerBot.Tests.Deployments.GitHubActions;

/// <summary>
/// GitHub's Actions REST API on WireMock.Net (dispatch, list runs, get run, cancel). Each captured
/// <c>workflow_dispatch</c> is run as the workflow would run it: its inputs become the script's environment and
/// <c>runners/github-actions/partnerbot-run.sh</c> runs here with the real Terraform CLI. The run is
/// <c>in_progress</c> while the script runs and <c>completed</c> (success or failure by exit code) after.
/// </summary>
public sealed class ActionsEmulator : IDisposable
{
    public const string Repository = "acme-platform/deployments";
    public const string Workflow = "partnerbot-deploy.yml";
    private readonly ConcurrentDictionary<long, EmulatedRun> _runs = new();
    private readonly string _botUrl;
    private readonly string _callbackSecret;
    private long _nextId = 9100;

    public ActionsEmulator(string botUrl, string callbackSecret)
    {
        _botUrl = botUrl;
        _callbackSecret = callbackSecret;
        Server = WireMockServer.Start();
        Server.Given(Request.Create().WithPath($"/repos/{Repository}/actions/workflows/{Workflow}/dispatches").UsingPost())
            .RespondWith(Response.Create().WithCallback(Dispatch));
        Server.Given(Request.Create().WithPath($"/repos/{Repository}/actions/runs").UsingGet())
            .RespondWith(Response.Create().WithCallback(_ => Json(new JsonObject
            {
                ["total_count"] = _runs.Count,
                ["workflow_runs"] = new JsonArray([.. _runs.Values.OrderByDescending(r => r.Id).Select(r => (JsonNode)r.ToJson())]),
            })));
        Server.Given(Request.Create().WithPath(new WireMock.Matchers.RegexMatcher($"^/repos/{Repository}/actions/runs/[0-9]+$")).UsingGet())
            .RespondWith(Response.Create().WithCallback(request =>
                _runs.TryGetValue(long.Parse(request.Path.Split('/')[^1]), out var run)
                    ? Json(run.ToJson())
                    : new ResponseMessage { StatusCode = 404 }));
    }

    public WireMockServer Server { get; }
    public string ApiBaseUrl => Server.Url!.Replace("localhost", "127.0.0.1", StringComparison.Ordinal) + "/";

    public IReadOnlyCollection<EmulatedRun> Runs => _runs.Values.ToList();

    private ResponseMessage Dispatch(IRequestMessage request)
    {
        var body = JsonNode.Parse(request.Body!)!.AsObject();
        var run = new EmulatedRun(Interlocked.Increment(ref _nextId), body);
        _runs[run.Id] = run;
        run.Start(_botUrl, _callbackSecret);
        return new ResponseMessage { StatusCode = 204 };
    }

    private static ResponseMessage Json(JsonObject body) => new()
    {
        StatusCode = 200,
        Headers = new Dictionary<string, WireMockList<string>> { ["Content-Type"] = new("application/json") },
        BodyData = new BodyData { BodyAsString = body.ToJsonString(), DetectedBodyType = BodyType.String },
    };

    public void Dispose()
    {
        foreach (var run in _runs.Values) run.Kill();
        Server.Stop();
    }

    public static string ScriptPath => Path.Combine(AppContext.BaseDirectory, "runners", "github-actions", "partnerbot-run.sh");

    public sealed class EmulatedRun(long id, JsonObject dispatch)
    {
        private readonly System.Text.StringBuilder _output = new();
        private Process? _process;

        public long Id { get; } = id;
        /// <summary>The captured dispatch request body (<c>ref</c> and <c>inputs</c>).</summary>
        public JsonObject Dispatch { get; } = dispatch;
        public JsonObject Inputs => Dispatch["inputs"]!.AsObject();
        public string RunKey => Inputs["run_key"]!.GetValue<string>();
        public int? ExitCode { get; private set; }
        public string Output { get { lock (_output) return _output.ToString(); } }
        public string Work { get; } = Path.Combine(Path.GetTempPath(), "partnerbot-tests", "actions-" + Guid.NewGuid().ToString("N"));

        /// <summary>The workflow's step: its <c>env</c> block maps the dispatch inputs to the script's variables.</summary>
        public void Start(string botUrl, string callbackSecret)
        {
            var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add(ScriptPath);
            start.Environment["PARTNERBOT_URL"] = botUrl;
            start.Environment["PARTNERBOT_CALLBACK_SECRET"] = callbackSecret;
            start.Environment["DEPLOYMENT_ID"] = Input("deployment_id");
            start.Environment["RUN_KEY"] = Input("run_key");
            start.Environment["ACTION"] = Input("action");
            start.Environment["MODULE_NAME"] = Input("module_name");
            start.Environment["MODULE_REPOSITORY"] = Input("module_repository");
            start.Environment["MODULE_COMMIT"] = Input("module_commit");
            start.Environment["TERRAFORM"] = RealTerraform.Path ?? "terraform";
            start.Environment["PARTNERBOT_POLL_SECONDS"] = "0.3";
            start.Environment["PARTNERBOT_WORK"] = Work;
            _process = new Process { StartInfo = start, EnableRaisingEvents = true };
            _process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine(e.Data); };
            _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine(e.Data); };
            _process.Exited += (_, _) => ExitCode = _process.ExitCode;
            _process.Start();
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
        }

        private string Input(string name) => Inputs[name]?.GetValue<string>() ?? "";

        public async Task<int> WaitAsync()
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
            await _process!.WaitForExitAsync(timeout.Token);
            return _process.ExitCode;
        }

        public void Kill()
        {
            try { if (_process is { HasExited: false }) _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            try { Directory.Delete(Work, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }

        public JsonObject ToJson() => new()
        {
            ["id"] = Id,
            ["name"] = "PartnerBot deploy",
            ["display_title"] = "PartnerBot " + RunKey,
            ["event"] = "workflow_dispatch",
            ["status"] = ExitCode is null ? "in_progress" : "completed",
            ["conclusion"] = ExitCode switch { null => null, 0 => "success", _ => "failure" },
            ["path"] = ".github/workflows/" + Workflow,
            ["head_branch"] = "main",
            ["html_url"] = $"https://github.com/{Repository}/actions/runs/{Id}",
            ["created_at"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ"),
        };
    }
}
