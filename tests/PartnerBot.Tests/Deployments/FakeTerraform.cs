namespace PartnerBot.Tests.Deployments;

/// <summary>
/// A stand-in for the Terraform CLI at the process boundary: a shell script named <c>terraform</c> in its own folder,
/// put first on the runner's PATH. It answers init/plan/show/apply/output/destroy like the CLI (stdout, stderr, exit
/// codes; a saved plan file holds the planned values), keeps each deployment's state beside itself (the work folder is
/// deleted after every run, as with a remote backend), and records every call. Marker files make it fail or hang.
/// </summary>
public sealed class FakeTerraform : IDisposable
{
    private const string Script = """
        #!/bin/sh
        # Stand-in for the Terraform CLI used by tests.
        here="$(cd "$(dirname "$0")" && pwd)"
        echo "$1 $(basename "$PWD")" >> "$here/calls.log"
        # The state lives outside the work folder (which each run deletes), one file per deployment, like a remote backend.
        mkdir -p "$here/state"
        state="$here/state/$(basename "$PWD").tfstate"
        case "$1" in
          init)
            echo "Initializing the backend..."
            echo "Terraform has been successfully initialized!"
            ;;
          plan)
            if [ -f "$here/fail-plan" ]; then echo "Error: planning failed: the thing is not valid" >&2; exit 1; fi
            destroy=no; out=""
            for a in "$@"; do
              case "$a" in -destroy) destroy=yes ;; -out=*) out="${a#-out=}" ;; esac
            done
            if [ "$destroy" = yes ]; then
              if [ -f "$state" ]; then echo destroy > "$out"; echo "Plan: 0 to add, 0 to change, 1 to destroy."; exit 2; fi
              echo nothing > "$out"; echo "No changes."; exit 0
            fi
            if [ ! -f terraform.tfvars.json ]; then echo "Error: No value for required variable" >&2; exit 1; fi
            if [ -f "$state" ]; then kind=update; else kind=create; fi
            { echo "$kind"; cat terraform.tfvars.json; } > "$out"
            if [ "$kind" = create ]; then echo "Plan: 1 to add, 0 to change, 0 to destroy."; else echo "Plan: 0 to add, 1 to change, 0 to destroy."; fi
            exit 2
            ;;
          show)
            for a in "$@"; do file="$a"; done
            kind=$(head -n 1 "$file")
            case "$kind" in
              create) actions='"create"' ;; update) actions='"update"' ;; destroy) actions='"delete"' ;; *) actions='"no-op"' ;;
            esac
            printf '{"format_version":"1.2","resource_changes":[{"address":"terraform_data.thing","mode":"managed","type":"terraform_data","name":"thing","change":{"actions":[%s]}}]}\n' "$actions"
            ;;
          apply)
            i=0
            while [ -f "$here/slow" ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done
            if [ -f "$here/fail-apply" ]; then
              echo "terraform_data.thing: Creating..."
              echo "Error: creating the thing failed: quota exceeded" >&2
              exit 1
            fi
            for a in "$@"; do last="$a"; done
            case "$last" in
              -*)
                if [ ! -f terraform.tfvars.json ]; then echo "Error: No value for required variable" >&2; exit 1; fi
                cp terraform.tfvars.json "$state"
                ;;
              *)
                kind=$(head -n 1 "$last")
                if [ "$kind" = destroy ] || [ "$kind" = nothing ]; then
                  if [ -f "$here/fail-destroy" ]; then echo "Error: destroy failed" >&2; exit 1; fi
                  rm -f "$state"
                  echo "Apply complete! Resources: 0 added, 0 changed, 1 destroyed."
                  exit 0
                fi
                tail -n +2 "$last" > "$state"
                ;;
            esac
            echo "terraform_data.thing: Creating..."
            echo "terraform_data.thing: Creation complete after 0s"
            echo "Apply complete! Resources: 1 added, 0 changed, 0 destroyed."
            ;;
          output)
            if [ ! -f "$state" ]; then echo "{}"; exit 0; fi
            printf '{"applied":{"sensitive":false,"type":"string","value":"yes"},"inputs":{"sensitive":true,"type":"object","value":%s}}\n' "$(cat "$state")"
            ;;
          destroy)
            if [ -f "$here/fail-destroy" ]; then echo "Error: destroy failed" >&2; exit 1; fi
            rm -f "$state"
            echo "Destroy complete! Resources: 1 destroyed."
            ;;
          *)
            echo "Error: unknown command $1" >&2
            exit 1
            ;;
        esac
        """;

    public FakeTerraform()
    {
        Folder = Path.Combine(Path.GetTempPath(), "partnerbot-tests", "fake-tf-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Folder);
        var path = Path.Combine(Folder, "terraform");
        File.WriteAllText(path, Script.Replace("\r\n", "\n") + "\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    public string Folder { get; }

    /// <summary>A PATH with the fake first (the real tools after it).</summary>
    public string SearchPath => Folder + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH");

    public void FailApply(bool fail = true) => Marker("fail-apply", fail);
    public void FailPlan(bool fail = true) => Marker("fail-plan", fail);
    public void FailDestroy(bool fail = true) => Marker("fail-destroy", fail);
    /// <summary>While set, apply waits (up to a minute) before doing anything.</summary>
    public void Slow(bool slow = true) => Marker("slow", slow);

    /// <summary>The recorded calls, e.g. <c>apply dep-1234</c>.</summary>
    public IReadOnlyList<string> Calls =>
        File.Exists(Path.Combine(Folder, "calls.log")) ? File.ReadAllLines(Path.Combine(Folder, "calls.log")) : [];

    private void Marker(string name, bool present)
    {
        var path = Path.Combine(Folder, name);
        if (present) File.WriteAllText(path, "");
        else File.Delete(path);
    }

    public void Dispose()
    {
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

/// <summary>Facts that need the real Terraform CLI: skipped, with the reason shown, when it is not on PATH.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class TerraformFactAttribute : FactAttribute
{
    public TerraformFactAttribute()
    {
        if (RealTerraform.Path is null) Skip = "terraform is not on PATH: the real-CLI runner test cannot run (install Terraform 1.4+).";
    }
}

public static class RealTerraform
{
    public static string? Path { get; } = PartnerBot.Api.Deployments.Runners.ExecutableLocator.Find("terraform",
        Environment.GetEnvironmentVariable("PATH") ?? "");
}
