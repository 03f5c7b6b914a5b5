using PartnerBot.Api.Modules.Hcl;

namespace PartnerBot.Api.Modules.Policy;

/// <summary>The allow lists of the policy (<c>Deployments:AllowedProviders</c>, <c>Deployments:AllowedModuleSources</c>).</summary>
/// <param name="AllowedProviders">Provider patterns; empty means <see cref="ProviderAddress.DefaultAllowed"/>. Built-ins are always allowed.</param>
/// <param name="AllowedModuleSources">Registry module patterns; empty means no registry module.</param>
public sealed record ModulePolicyRules(IReadOnlyList<string> AllowedProviders, IReadOnlyList<string> AllowedModuleSources)
{
    public static ModulePolicyRules Default { get; } = new([], []);

    public IReadOnlyList<string> EffectiveProviders => AllowedProviders.Count == 0 ? ProviderAddress.DefaultAllowed : AllowedProviders;

    public bool AllowsProvider(string address) =>
        ProviderAddress.IsBuiltIn(address) || EffectiveProviders.Any(p => ProviderAddress.Matches(p, address));

    public bool AllowsModule(string registryAddress) => AllowedModuleSources.Any(p => ModuleSourceAddress.Matches(p, registryAddress));
}

/// <summary>
/// The policy for partner modules, checked when they are published and again before every run. It reads every
/// Terraform file of the module (sub-folders too) with the project's HCL parser and rejects: provisioners (they run
/// commands or copy files from the host running Terraform), the <c>external</c> data source (it runs a program),
/// providers outside <c>Deployments:AllowedProviders</c>, module sources outside the module's own folder unless an
/// allowed registry source, and JSON configuration files, which the parser cannot check.
/// </summary>
public sealed class ModulePolicy(ModulePolicyRules rules)
{
    public ModulePolicyRules Rules => rules;

    /// <param name="files">Path inside the module folder (<c>/</c>-separated) → content; files that are not Terraform are ignored.</param>
    public ModuleAnalysis Analyze(IReadOnlyDictionary<string, string> files)
    {
        var violations = new List<PolicyViolation>();
        var registryModules = new List<string>();
        var folders = new SortedDictionary<string, FolderProviders>(StringComparer.Ordinal);
        foreach (var (rawPath, content) in files.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            var path = rawPath.Replace('\\', '/').TrimStart('/');
            if (IsJsonConfiguration(path))
            {
                violations.Add(new PolicyViolation(path, 1,
                    "JSON configuration files are not accepted: write the module in HCL (.tf) so it can be checked."));
                continue;
            }
            if (!IsHcl(path)) continue;
            HclFile file;
            try
            {
                file = HclParser.ParseFile(content, path);
            }
            catch (HclSyntaxException e)
            {
                violations.Add(new PolicyViolation(path, e.Line, "the file does not parse: " + e.Detail));
                continue;
            }
            var folder = FolderOf(path);
            if (!folders.TryGetValue(folder, out var providers)) folders[folder] = providers = new FolderProviders();
            new FileWalk(file, folder, rules, providers, violations, registryModules).Run();
        }

        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var providers in folders.Values)
        {
            foreach (var (localName, where) in providers.Uses)
            {
                var address = providers.Declared.TryGetValue(localName, out var declared) ? declared : ProviderAddress.Implied(localName);
                if (address is null) continue; // an invalid source, already reported
                used.Add(address);
                if (!rules.AllowsProvider(address))
                    violations.Add(where with
                    {
                        Reason = $"the provider {address} is not allowed here (allowed: {string.Join(", ", rules.EffectiveProviders)}, and Terraform's built-in provider).",
                    });
            }
        }
        var ordered = violations.OrderBy(v => v.File, StringComparer.Ordinal).ThenBy(v => v.Line).ToList();
        return new ModuleAnalysis(ordered, used, registryModules);
    }

    /// <summary>The Terraform files of a folder and its sub-folders, by path relative to it (<c>/</c>-separated).</summary>
    public static Dictionary<string, string> ReadFolder(string folder)
    {
        var root = Path.GetFullPath(folder);
        return Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Select(path => (Path: path, Relative: Path.GetRelativePath(root, path).Replace('\\', '/')))
            .Where(f => IsHcl(f.Relative) || IsJsonConfiguration(f.Relative))
            .ToDictionary(f => f.Relative, f => File.ReadAllText(f.Path), StringComparer.Ordinal);
    }

    public static bool IsHcl(string path) => path.EndsWith(".tf", StringComparison.Ordinal) || path.EndsWith(".tofu", StringComparison.Ordinal);

    public static bool IsJsonConfiguration(string path) =>
        path.EndsWith(".tf.json", StringComparison.Ordinal) || path.EndsWith(".tofu.json", StringComparison.Ordinal);

    private static string FolderOf(string path) => path.LastIndexOf('/') is var slash and >= 0 ? path[..slash] : "";

    /// <summary>Per module folder: local provider names declared in <c>required_providers</c>, and where each name is first used.</summary>
    private sealed class FolderProviders
    {
        public Dictionary<string, string?> Declared { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, PolicyViolation> Uses { get; } = new(StringComparer.Ordinal);
    }

    private sealed class FileWalk(HclFile file, string folder, ModulePolicyRules rules, FolderProviders providers,
        List<PolicyViolation> violations, List<string> registryModules)
    {
        public void Run()
        {
            foreach (var block in file.Body.Blocks) TopLevel(block);
            Provisioners(file.Body);
        }

        private void TopLevel(HclBlock block)
        {
            switch (block.Type)
            {
                case "terraform":
                    foreach (var required in block.Body.BlocksOfType("required_providers")) RequiredProviders(required);
                    break;
                case "provider" when block.Labels.Count == 1:
                    Use(block.Labels[0], block.Start);
                    break;
                case "resource" or "data" or "ephemeral" when block.Labels.Count == 2:
                    Resource(block);
                    break;
                case "check":
                    foreach (var scoped in block.Body.BlocksOfType("data").Where(b => b.Labels.Count == 2)) Resource(scoped);
                    break;
                case "module" when block.Labels.Count == 1:
                    Module(block);
                    break;
            }
        }

        private void RequiredProviders(HclBlock block)
        {
            foreach (var entry in block.Body.Attributes)
            {
                string? address;
                if (entry.Expression is HclTemplate { IsLiteral: true })
                    address = ProviderAddress.Implied(entry.Name); // the pre-0.13 form: a version constraint only
                else if (entry.Expression is HclObject settings && Item(settings, "source") is { } source)
                {
                    if (source is HclTemplate { IsLiteral: true } literal)
                    {
                        address = ProviderAddress.Normalize(literal.LiteralValue);
                        if (address is null) Add(entry.Start, $"\"{literal.LiteralValue}\" is not a provider source address.");
                    }
                    else
                    {
                        address = null;
                        Add(entry.Start, $"the source of provider \"{entry.Name}\" must be a literal string.");
                    }
                }
                else address = ProviderAddress.Implied(entry.Name);
                providers.Declared[entry.Name] = address;
                Use(entry.Name, entry.Start);
            }
        }

        private void Resource(HclBlock block)
        {
            var type = block.Labels[0];
            if (block.Type == "data" && type == "external")
                Add(block.Start, "the external data source runs a program on the host running Terraform.");
            var localName = block.Body.Attribute("provider")?.Expression switch
            {
                HclVariable name => name.Name,
                HclGetAttribute { Source: HclVariable name } => name.Name,
                _ => type.Split('_')[0],
            };
            Use(localName, block.Start);
        }

        private void Module(HclBlock block)
        {
            var name = block.Labels[0];
            var source = block.Body.Attribute("source");
            if (source?.Expression is not HclTemplate { IsLiteral: true } literal)
            {
                Add(source?.Start ?? block.Start, $"module \"{name}\" needs a literal source string.");
                return;
            }
            var text = literal.LiteralValue;
            if (ModuleSourceAddress.IsLocal(text))
            {
                if (ModuleSourceAddress.ResolveLocal(folder, text) is null)
                    Add(source.Start, $"module \"{name}\": \"{text}\" is outside the module's own folder.");
            }
            else if (ModuleSourceAddress.Registry(text) is { } registry)
            {
                if (rules.AllowsModule(registry)) registryModules.Add(registry);
                else Add(source.Start, $"module \"{name}\": the registry module \"{text}\" is not allowed here (Deployments:AllowedModuleSources).");
            }
            else
                Add(source.Start, $"module \"{name}\": \"{text}\" is outside the module's own folder; only its sub-folders (./...) and allowed registry modules may be used.");

            if (block.Body.Attribute("providers")?.Expression is HclObject passed)
                foreach (var item in passed.Items)
                    if (item.Value is HclVariable or HclGetAttribute { Source: HclVariable })
                        Use(item.Value is HclVariable v ? v.Name : ((HclVariable)((HclGetAttribute)item.Value).Source).Name, block.Start);
        }

        private void Provisioners(HclBody body)
        {
            foreach (var block in body.Blocks)
            {
                if (block.Type == "provisioner")
                    Add(block.Start, block.Labels.FirstOrDefault() switch
                    {
                        "local-exec" => "a local-exec provisioner runs commands on the host running Terraform.",
                        "remote-exec" => "a remote-exec provisioner runs commands over a connection to another machine.",
                        "file" => "a file provisioner copies files from the host running Terraform to another machine.",
                        var other => $"the provisioner \"{other}\" is not allowed.",
                    });
                Provisioners(block.Body);
            }
        }

        private void Use(string localName, int offset)
        {
            if (!providers.Uses.ContainsKey(localName)) providers.Uses[localName] = At(offset, "");
        }

        private void Add(int offset, string reason) => violations.Add(At(offset, reason));

        private PolicyViolation At(int offset, string reason) =>
            new(file.FileName, HclSyntaxException.LineColumn(file.Source, offset).Line, reason);

        private static HclExpression? Item(HclObject settings, string key) =>
            settings.Items.FirstOrDefault(i => i.Key switch
            {
                HclVariable v => v.Name == key,
                HclTemplate { IsLiteral: true } t => t.LiteralValue == key,
                _ => false,
            })?.Value;
    }
}
