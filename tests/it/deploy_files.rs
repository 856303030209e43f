//! The deployment files under `deploy/` and the configuration reference in
//! `docs/CONFIGURATION.md`, checked against the code they describe.
//!
//! No Docker engine, Kubernetes cluster or systemd runs here, so these tests check what can be
//! checked without one: every YAML file parses; every herald command line the files contain is
//! given to the real `herald` binary followed by `--help` (clap parses the whole line before it
//! reaches `--help`, so that exits 0 only when the subcommand, every flag and every value are
//! accepted); ports, probes, mounts, secrets and credentials agree across files; and the
//! reference names every command, flag, default, environment variable and `herald.toml` key the
//! code has.

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;

use herald::campaign::{Diagnostics, SourceFile};
use herald::config::Config;
use herald::platforms::Platform;
use yaml_rust2::{Yaml, YamlLoader};

// --- reading files --------------------------------------------------------------------------

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(relative: &str) -> String {
    std::fs::read_to_string(root().join(relative))
        .unwrap_or_else(|error| panic!("cannot read {relative}: {error}"))
}

/// Every document of a YAML file, with merge keys (`<<: *anchor`, which Compose honours)
/// resolved the way Compose resolves them: keys written in the mapping win.
fn yaml_documents(relative: &str) -> Vec<Yaml> {
    YamlLoader::load_from_str(&read(relative))
        .unwrap_or_else(|error| panic!("{relative} is not valid YAML: {error}"))
        .into_iter()
        .map(resolve_merge_keys)
        .collect()
}

/// The one document of a YAML file.
fn yaml(relative: &str) -> Yaml {
    let mut documents = yaml_documents(relative);
    assert_eq!(documents.len(), 1, "{relative} should hold one document");
    documents.remove(0)
}

fn resolve_merge_keys(node: Yaml) -> Yaml {
    match node {
        Yaml::Array(items) => Yaml::Array(items.into_iter().map(resolve_merge_keys).collect()),
        Yaml::Hash(hash) => {
            let merge_key = Yaml::String("<<".to_string());
            let mut out = yaml_rust2::yaml::Hash::new();
            let mut merged = Vec::new();
            for (key, value) in hash {
                if key == merge_key {
                    merged.push(resolve_merge_keys(value));
                } else {
                    out.insert(key, resolve_merge_keys(value));
                }
            }
            for source in merged {
                let sources = match source {
                    Yaml::Array(items) => items,
                    other => vec![other],
                };
                for source in sources {
                    let Yaml::Hash(source) = source else {
                        panic!("`<<` must merge mappings, found {source:?}");
                    };
                    for (key, value) in source {
                        if !out.contains_key(&key) {
                            out.insert(key, value);
                        }
                    }
                }
            }
            Yaml::Hash(out)
        }
        other => other,
    }
}

/// A scalar as text (YAML reads `8080` as a number and `"8080"` as a string; both are fine).
fn text(node: &Yaml, what: &str) -> String {
    match node {
        Yaml::String(s) | Yaml::Real(s) => s.clone(),
        Yaml::Integer(n) => n.to_string(),
        Yaml::Boolean(b) => b.to_string(),
        other => panic!("{what}: expected a scalar, found {other:?}"),
    }
}

fn texts(node: &Yaml, what: &str) -> Vec<String> {
    node.as_vec()
        .unwrap_or_else(|| panic!("{what}: expected a list, found {node:?}"))
        .iter()
        .map(|item| text(item, what))
        .collect()
}

fn keys(node: &Yaml, what: &str) -> BTreeSet<String> {
    node.as_hash()
        .unwrap_or_else(|| panic!("{what}: expected a mapping, found {node:?}"))
        .keys()
        .map(|key| text(key, what))
        .collect()
}

fn has(node: &Yaml, key: &str) -> bool {
    !node[key].is_badvalue()
}

// --- the real binary ------------------------------------------------------------------------

fn herald() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_herald"));
    command
        .current_dir(root())
        .env_remove("HERALD_DATABASE_URL")
        .env_remove("RUST_LOG");
    command
}

/// Runs `herald ARGS… --help` and fails unless herald accepts the whole command line; returns
/// the subcommand's help.
fn assert_herald_accepts(args: &[String], origin: &str) -> String {
    let subcommand = args
        .first()
        .unwrap_or_else(|| panic!("{origin}: an empty herald command line"));
    let output = herald()
        .args(args)
        .arg("--help")
        .output()
        .expect("run herald");
    assert!(
        output.status.success(),
        "{origin}: herald does not accept `herald {}`:\n{}",
        args.join(" "),
        String::from_utf8_lossy(&output.stderr)
    );
    let help = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        help.contains(&format!("Usage: herald {subcommand} ")),
        "{origin}: `{subcommand}` is not a herald subcommand:\n{help}"
    );
    for flag in args.iter().filter(|arg| arg.starts_with("--")) {
        let name = flag.split('=').next().unwrap_or(flag);
        assert!(
            help.contains(&format!("{name} ")) || help.contains(&format!("{name}\n")),
            "{origin}: `herald {subcommand} --help` does not list {name}"
        );
    }
    help
}

/// The value of `--flag VALUE` or `--flag=VALUE`.
fn flag_value<'a>(args: &'a [String], flag: &str) -> Option<&'a str> {
    let prefix = format!("{flag}=");
    args.iter().enumerate().find_map(|(i, arg)| {
        if arg == flag {
            args.get(i + 1).map(String::as_str)
        } else {
            arg.strip_prefix(&prefix)
        }
    })
}

fn port_of(args: &[String], flag: &str, origin: &str) -> u16 {
    let value = flag_value(args, flag).unwrap_or_else(|| panic!("{origin}: no {flag}"));
    value
        .parse::<SocketAddr>()
        .unwrap_or_else(|error| panic!("{origin}: {flag} {value}: {error}"))
        .port()
}

/// Prometheus's own ports (9090 to 9094 and the few above) and the exporters' range (9100 to
/// 9999), which the Prometheus wiki's default port allocations have handed out to the last
/// port. A metrics listener there collides with some exporter on the same machine: with
/// node_exporter (9100) as soon as Debian's `prometheus` package is installed.
const MONITORING_PORTS: std::ops::RangeInclusive<u16> = 9090..=9999;

fn assert_metrics_port_is_free(port: u16, origin: &str) {
    assert!(
        !MONITORING_PORTS.contains(&port),
        "{origin}: metrics on port {port} collide with Prometheus or an exporter (9090 to 9999)"
    );
}

/// `NO_COLOR` is set to `1` in an environment given as a YAML mapping (compose).
fn assert_no_color(environment: &Yaml, origin: &str) {
    assert_eq!(
        environment["NO_COLOR"].as_str(),
        Some("1"),
        "{origin}: NO_COLOR=1 is not set"
    );
}

// --- the production configuration -----------------------------------------------------------

/// Where every deployment form puts its `herald.toml`, and what every long-running process is
/// given as `--config`: never the repository's sandbox configuration the image also carries.
const MOUNTED_CONFIG: &str = "/etc/herald/herald.toml";

const DEPLOY_CONFIG: &str = "deploy/herald.toml";

fn deploy_config() -> Config {
    let mut diags = Diagnostics::default();
    let config = Config::parse(
        &SourceFile::new(DEPLOY_CONFIG, read(DEPLOY_CONFIG)),
        &mut diags,
    );
    let problems: Vec<String> = diags
        .into_sorted()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert!(problems.is_empty(), "{DEPLOY_CONFIG}: {problems:#?}");
    config
}

/// The environment variables `deploy/herald.toml` names for credentials.
fn credential_variables() -> BTreeSet<String> {
    let variables: BTreeSet<String> = deploy_config()
        .accounts
        .values()
        .flat_map(|account| account.credentials.values().cloned())
        .collect();
    assert!(
        !variables.is_empty(),
        "{DEPLOY_CONFIG} names no credentials"
    );
    variables
}

#[test]
fn the_production_configuration_is_valid_and_serves_the_example_campaigns() {
    let config = deploy_config();
    for account in config.accounts.values() {
        assert!(
            account.base_url.starts_with("https://"),
            "{DEPLOY_CONFIG}: `{}` must reach its partner over https, not {}",
            account.channel,
            account.base_url
        );
    }
    assert!(config.public_url.starts_with("https://"));
    // The example campaigns name these accounts: they must validate against it.
    let output = herald()
        .args(["validate", "--config", DEPLOY_CONFIG])
        .output()
        .expect("run herald validate");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the example campaigns do not validate against {DEPLOY_CONFIG}:\n{stderr}"
    );
    assert!(
        !stderr.lines().any(|line| line.starts_with(DEPLOY_CONFIG)),
        "{DEPLOY_CONFIG} has warnings:\n{stderr}"
    );
}

// --- Dockerfile -----------------------------------------------------------------------------

struct Stage {
    image: String,
    name: Option<String>,
    instructions: Vec<(String, String)>,
}

impl Stage {
    fn all(&self, keyword: &str) -> impl Iterator<Item = &str> {
        self.instructions
            .iter()
            .filter(move |(k, _)| k == keyword)
            .map(|(_, rest)| rest.as_str())
    }

    fn last(&self, keyword: &str) -> Option<&str> {
        self.all(keyword).last()
    }
}

/// The stages of a Dockerfile: continuation lines joined, comments dropped.
fn dockerfile_stages(text: &str) -> Vec<Stage> {
    let mut logical = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with('#') || (trimmed.is_empty() && current.is_empty()) {
            continue;
        }
        match trimmed.strip_suffix('\\') {
            Some(start) => {
                current.push_str(start);
                current.push(' ');
            }
            None => {
                current.push_str(trimmed);
                logical.push(std::mem::take(&mut current));
            }
        }
    }
    let mut stages: Vec<Stage> = Vec::new();
    for line in logical {
        let (keyword, rest) = line.split_once(' ').unwrap_or((&line, ""));
        let keyword = keyword.to_ascii_uppercase();
        let rest = rest.trim().to_string();
        if keyword == "FROM" {
            let words: Vec<&str> = rest.split_whitespace().collect();
            let name = match words.as_slice() {
                [_, as_word, name] if as_word.eq_ignore_ascii_case("as") => Some(name.to_string()),
                _ => None,
            };
            stages.push(Stage {
                image: words.first().map(|w| w.to_string()).unwrap_or_default(),
                name,
                instructions: Vec::new(),
            });
        } else {
            stages
                .last_mut()
                .expect("an instruction before the first FROM")
                .instructions
                .push((keyword, rest));
        }
    }
    stages
}

fn json_array(value: &str, what: &str) -> Vec<String> {
    serde_json::from_str(value).unwrap_or_else(|error| {
        panic!("{what} must be a JSON array (exec form), found {value}: {error}")
    })
}

#[test]
fn the_image_builds_herald_and_runs_it_as_a_non_root_user() {
    let stages = dockerfile_stages(&read("deploy/Dockerfile"));
    assert!(stages.len() >= 2, "the Dockerfile should be multi-stage");
    let runtime = stages.last().expect("a runtime stage");
    assert!(
        runtime.image.starts_with("debian:bookworm-slim"),
        "runtime image: {}",
        runtime.image
    );

    // The binary comes from the build stage's release build.
    let copy = runtime
        .all("COPY")
        .find(|rest| rest.ends_with(" /usr/local/bin/herald"))
        .expect("the runtime stage copies herald to /usr/local/bin/herald");
    let words: Vec<&str> = copy.split_whitespace().collect();
    let from = words
        .iter()
        .find_map(|w| w.strip_prefix("--from="))
        .expect("COPY --from=<build stage>");
    let build = stages
        .iter()
        .find(|stage| stage.name.as_deref() == Some(from))
        .unwrap_or_else(|| panic!("no stage named {from}"));
    assert!(
        build.image.starts_with("rust:1"),
        "builder: {}",
        build.image
    );
    let source = words[words.len() - 2];
    let workdir = build.last("WORKDIR").expect("the build stage sets WORKDIR");
    assert_eq!(
        source,
        format!("{}/target/release/herald", workdir.trim_end_matches('/'))
    );
    let cargo = build
        .all("RUN")
        .find(|rest| rest.contains("cargo build"))
        .expect("the build stage runs cargo build");
    let cargo: Vec<&str> = cargo.split_whitespace().collect();
    assert!(cargo.contains(&"--release") && cargo.contains(&"--locked"));
    assert!(
        cargo.windows(2).any(|w| w == ["--bin", "herald"]),
        "cargo build must build --bin herald: {cargo:?}"
    );

    // Only CA certificates are installed.
    let install = runtime
        .all("RUN")
        .find(|rest| rest.contains("apt-get install"))
        .expect("the runtime stage installs ca-certificates");
    let packages: Vec<&str> = install
        .split("apt-get install")
        .nth(1)
        .unwrap_or("")
        .split("&&")
        .next()
        .unwrap_or("")
        .split_whitespace()
        .filter(|w| !w.starts_with('-'))
        .collect();
    assert_eq!(packages, ["ca-certificates"]);

    // A non-root user, created with that id.
    let user = runtime.last("USER").expect("the runtime stage sets USER");
    let uid: u32 = user
        .split(':')
        .next()
        .and_then(|u| u.parse().ok())
        .unwrap_or_else(|| panic!("USER should be a numeric id (runAsNonRoot needs one): {user}"));
    assert_ne!(uid, 0, "herald must not run as root");
    assert!(
        runtime
            .all("RUN")
            .any(|rest| rest.contains("useradd") && rest.contains(&format!("--uid {uid}"))),
        "no user {uid} is created"
    );

    // The example project, where the image starts.
    assert_eq!(runtime.last("WORKDIR"), Some("/srv/herald"));
    for path in ["campaigns", "locales", "herald.toml"] {
        assert!(
            runtime
                .all("COPY")
                .any(|rest| rest == format!("{path} /srv/herald/{path}")),
            "{path} is not copied to /srv/herald"
        );
        assert!(
            root().join(path).exists(),
            "{path} is not in the repository"
        );
    }

    // herald is the entry point, and the default command is one herald accepts.
    let entrypoint = json_array(
        runtime.last("ENTRYPOINT").expect("ENTRYPOINT"),
        "ENTRYPOINT",
    );
    assert_eq!(entrypoint, ["herald"]);
    let cmd = json_array(runtime.last("CMD").expect("CMD"), "CMD");
    assert_eq!(cmd[0], "serve");
    assert_herald_accepts(&cmd, "Dockerfile CMD");
    assert_eq!(
        flag_value(&cmd, "--config"),
        Some(MOUNTED_CONFIG),
        "the image's command must read the mounted configuration, not the example project's"
    );
    assert_metrics_port_is_free(
        port_of(&cmd, "--metrics-listen", "Dockerfile CMD"),
        "Dockerfile CMD",
    );
    assert!(
        runtime.all("ENV").any(|rest| rest == "NO_COLOR=1"),
        "the image should set NO_COLOR=1"
    );
    let exposed: BTreeSet<u16> = runtime
        .all("EXPOSE")
        .flat_map(str::split_whitespace)
        .map(|port| port.trim_end_matches("/tcp").parse().expect("a port"))
        .collect();
    for flag in ["--listen", "--metrics-listen"] {
        let port = port_of(&cmd, flag, "Dockerfile CMD");
        assert!(
            exposed.contains(&port),
            "port {port} ({flag}) is not exposed"
        );
    }

    let ignored = read(".dockerignore");
    let ignored: BTreeSet<&str> = ignored.lines().map(str::trim).collect();
    for pattern in ["target/", ".git/", "*.db"] {
        assert!(ignored.contains(pattern), ".dockerignore lacks {pattern}");
    }
}

// --- compose --------------------------------------------------------------------------------

const COMPOSE: &str = "deploy/compose.yaml";

fn depends_on(service: &Yaml, on: &str, condition: &str, name: &str) {
    assert_eq!(
        service["depends_on"][on]["condition"].as_str(),
        Some(condition),
        "{COMPOSE}: {name} should wait for {on} ({condition})"
    );
}

#[test]
fn the_compose_file_runs_postgres_a_migration_the_api_two_workers_and_prometheus() {
    let compose = yaml(COMPOSE);
    let services = &compose["services"];
    let names = keys(services, "services");
    for name in [
        "postgres",
        "migrate",
        "serve",
        "worker-1",
        "worker-2",
        "prometheus",
    ] {
        assert!(names.contains(name), "{COMPOSE}: no service `{name}`");
    }

    // PostgreSQL, healthy before anything uses it, on a named volume.
    let postgres = &services["postgres"];
    assert!(text(&postgres["image"], "postgres image").starts_with("postgres:16"));
    assert!(
        texts(&postgres["healthcheck"]["test"], "healthcheck")
            .iter()
            .any(|part| part.contains("pg_isready")),
        "{COMPOSE}: postgres needs a pg_isready healthcheck"
    );
    let volumes = keys(&compose["volumes"], "volumes");
    let data = texts(&postgres["volumes"], "postgres volumes");
    assert!(
        data.iter()
            .any(|v| volumes.contains(v.split(':').next().unwrap_or(""))),
        "{COMPOSE}: postgres data should live on a named volume: {data:?}"
    );

    // Every herald service is built from the Dockerfile and runs a real command.
    let mut herald_services = BTreeMap::new();
    for name in &names {
        let service = &services[name.as_str()];
        if !has(service, "build") {
            continue;
        }
        let build = &service["build"];
        let context = root()
            .join("deploy")
            .join(text(&build["context"], "build context"));
        let dockerfile = context.join(text(&build["dockerfile"], "dockerfile"));
        assert!(
            dockerfile.is_file(),
            "{COMPOSE}: {name} builds from {}, which does not exist",
            dockerfile.display()
        );
        let command = texts(&service["command"], "command");
        assert_herald_accepts(&command, &format!("{COMPOSE} service {name}"));
        herald_services.insert(name.clone(), command);
    }
    let subcommand = |name: &str| herald_services.get(name).map(|c| c[0].as_str());
    assert_eq!(subcommand("migrate"), Some("migrate"));
    assert_eq!(subcommand("serve"), Some("serve"));
    let workers: Vec<&String> = herald_services
        .iter()
        .filter(|(_, command)| command[0] == "worker")
        .map(|(name, _)| name)
        .collect();
    assert_eq!(workers, ["worker-1", "worker-2"]);

    // The database, the key and the credentials reach every long-running process.
    let migrate = &services["migrate"];
    depends_on(migrate, "postgres", "service_healthy", "migrate");
    assert_no_color(&migrate["environment"], "compose service migrate");
    assert!(text(&migrate["environment"]["HERALD_DATABASE_URL"], "url").starts_with("postgres://"));
    for name in ["serve", "worker-1", "worker-2"] {
        let service = &services[name];
        depends_on(service, "postgres", "service_healthy", name);
        depends_on(service, "migrate", "service_completed_successfully", name);
        assert_eq!(
            service["restart"].as_str(),
            Some("unless-stopped"),
            "{name}"
        );
        assert!(
            has(service, "stop_grace_period"),
            "{name}: no stop_grace_period"
        );
        let environment = &service["environment"];
        assert_no_color(environment, name);
        assert_metrics_port_is_free(
            port_of(&herald_services[name], "--metrics-listen", name),
            name,
        );
        let url = text(&environment["HERALD_DATABASE_URL"], "HERALD_DATABASE_URL");
        assert!(
            url.starts_with("postgres://") && url.contains("@postgres:5432/"),
            "{name}: HERALD_DATABASE_URL should point at the postgres service: {url}"
        );
        assert!(
            text(&environment["HERALD_SECRET_KEY"], "key").starts_with("${HERALD_SECRET_KEY:?"),
            "{name}: HERALD_SECRET_KEY must come from the environment and be required"
        );
        for variable in credential_variables() {
            let value = &environment[variable.as_str()];
            assert!(
                !value.is_badvalue()
                    && text(value, &variable).starts_with(&format!("${{{variable}")),
                "{name}: credential variable {variable} is not passed through from the environment"
            );
        }
        // The configuration it is given is mounted from a file that exists.
        let config = flag_value(&herald_services[name], "--config")
            .unwrap_or_else(|| panic!("{name}: no --config"))
            .to_string();
        assert_eq!(config, MOUNTED_CONFIG, "{name}");
        let mounts = texts(&service["volumes"], "volumes");
        let mount = mounts
            .iter()
            .find(|m| m.split(':').nth(1) == Some(config.as_str()))
            .unwrap_or_else(|| panic!("{name}: nothing is mounted at {config}"));
        let source = mount.split(':').next().unwrap_or("");
        assert!(root().join("deploy").join(source).is_file(), "{source}");
    }

    // The API's published port is the one it listens on.
    let listen = port_of(&herald_services["serve"], "--listen", "compose serve");
    let ports = texts(&services["serve"]["ports"], "ports");
    assert!(
        ports
            .iter()
            .any(|p| p.rsplit(':').next() == Some(listen.to_string().as_str())),
        "{COMPOSE}: serve listens on {listen} but publishes {ports:?}"
    );

    // Prometheus scrapes the metrics listener of the serve service, with the mounted config.
    let prometheus = &services["prometheus"];
    let mounts = texts(&prometheus["volumes"], "prometheus volumes");
    let config = mounts
        .iter()
        .find(|m| m.split(':').nth(1) == Some("/etc/prometheus/prometheus.yml"))
        .expect("prometheus.yml is mounted");
    let source = format!(
        "deploy/{}",
        config
            .split(':')
            .next()
            .unwrap_or("")
            .trim_start_matches("./")
    );
    let metrics = port_of(
        &herald_services["serve"],
        "--metrics-listen",
        "compose serve",
    );
    let scrape = yaml(&source);
    let jobs = scrape["scrape_configs"]
        .as_vec()
        .expect("scrape_configs")
        .clone();
    let targets: Vec<String> = jobs
        .iter()
        .filter(|job| job["metrics_path"].as_str().unwrap_or("/metrics") == "/metrics")
        .flat_map(|job| job["static_configs"].as_vec().cloned().unwrap_or_default())
        .flat_map(|config| texts(&config["targets"], "targets"))
        .collect();
    assert!(
        targets.contains(&format!("serve:{metrics}")),
        "prometheus.yml should scrape serve:{metrics}/metrics, scrapes {targets:?}"
    );
    // And every worker's own listener.
    for (name, args) in herald_services
        .iter()
        .filter(|(_, args)| args.first().is_some_and(|a| a == "worker"))
    {
        let port = port_of(args, "--metrics-listen", name);
        assert!(
            targets.contains(&format!("{name}:{port}")),
            "prometheus.yml should scrape {name}:{port}/metrics, scrapes {targets:?}"
        );
    }
}

// --- Kubernetes -----------------------------------------------------------------------------

const KUBERNETES: &str = "deploy/kubernetes";

fn manifests() -> BTreeMap<String, Yaml> {
    let mut out = BTreeMap::new();
    let entries = std::fs::read_dir(root().join(KUBERNETES)).expect("deploy/kubernetes");
    for entry in entries {
        let name = entry.expect("a directory entry").file_name();
        let name = name.to_string_lossy().into_owned();
        if name.ends_with(".yaml") || name.ends_with(".yml") {
            out.insert(name.clone(), yaml(&format!("{KUBERNETES}/{name}")));
        }
    }
    out
}

/// The one container of a Deployment's or Job's pod template.
fn container(manifest: &Yaml, what: &str) -> Yaml {
    let containers = manifest["spec"]["template"]["spec"]["containers"]
        .as_vec()
        .unwrap_or_else(|| panic!("{what}: no containers"));
    assert_eq!(containers.len(), 1, "{what}: one container expected");
    containers[0].clone()
}

/// A port given by name or number (a probe's, a Service's target), as the container's port
/// number.
fn container_port(container: &Yaml, port: &Yaml, what: &str) -> u16 {
    match port {
        Yaml::Integer(n) => u16::try_from(*n).expect("a port number"),
        Yaml::String(name) => container["ports"]
            .as_vec()
            .unwrap_or_else(|| panic!("{what}: no container ports"))
            .iter()
            .find(|p| p["name"].as_str() == Some(name.as_str()))
            .and_then(|p| p["containerPort"].as_i64())
            .and_then(|n| u16::try_from(n).ok())
            .unwrap_or_else(|| panic!("{what}: no container port named {name}")),
        other => panic!("{what}: port {other:?}"),
    }
}

fn assert_hardened(manifest: &Yaml, container: &Yaml, what: &str, uid: i64) {
    let pod = &manifest["spec"]["template"]["spec"]["securityContext"];
    assert_eq!(
        pod["runAsNonRoot"].as_bool(),
        Some(true),
        "{what}: runAsNonRoot"
    );
    assert_eq!(
        pod["runAsUser"].as_i64(),
        Some(uid),
        "{what}: the image's user"
    );
    let own = &container["securityContext"];
    assert_eq!(
        own["readOnlyRootFilesystem"].as_bool(),
        Some(true),
        "{what}: readOnlyRootFilesystem"
    );
    assert_eq!(
        own["allowPrivilegeEscalation"].as_bool(),
        Some(false),
        "{what}: allowPrivilegeEscalation"
    );
    for kind in ["requests", "limits"] {
        assert!(
            has(&container["resources"], kind),
            "{what}: no resource {kind}"
        );
    }
}

/// The arguments herald runs with in a container: `command` is `herald`, `args` the rest.
fn herald_args(container: &Yaml, what: &str) -> Vec<String> {
    assert_eq!(
        texts(&container["command"], "command"),
        ["herald"],
        "{what}: the container should run herald"
    );
    let args = texts(&container["args"], "args");
    assert_herald_accepts(&args, what);
    args
}

/// `--config` names a file of the mounted ConfigMap.
fn assert_config_mounted(manifest: &Yaml, container: &Yaml, args: &[String], configmap: &Yaml) {
    let config = Path::new(flag_value(args, "--config").expect("--config"));
    let directory = config.parent().and_then(Path::to_str).expect("a directory");
    let file = config.file_name().and_then(|f| f.to_str()).expect("a file");
    let mount = container["volumeMounts"]
        .as_vec()
        .expect("volumeMounts")
        .iter()
        .find(|m| m["mountPath"].as_str() == Some(directory))
        .unwrap_or_else(|| panic!("nothing is mounted at {directory}"))
        .clone();
    let volume = manifest["spec"]["template"]["spec"]["volumes"]
        .as_vec()
        .expect("volumes")
        .iter()
        .find(|v| v["name"] == mount["name"])
        .expect("the mounted volume")
        .clone();
    assert_eq!(volume["configMap"]["name"], configmap["metadata"]["name"]);
    assert!(keys(&configmap["data"], "ConfigMap data").contains(file));
}

/// The entry named `name` of a container's `env` list.
fn env_entry(container: &Yaml, name: &str, what: &str) -> Yaml {
    container["env"]
        .as_vec()
        .unwrap_or_else(|| panic!("{what}: no env"))
        .iter()
        .find(|entry| entry["name"].as_str() == Some(name))
        .unwrap_or_else(|| panic!("{what}: {name} is not in env"))
        .clone()
}

fn assert_container_has_no_color(container: &Yaml, what: &str) {
    assert_eq!(
        env_entry(container, "NO_COLOR", what)["value"].as_str(),
        Some("1"),
        "{what}: NO_COLOR"
    );
}

fn selects(selector: &Yaml, labels: &Yaml) -> bool {
    selector
        .as_hash()
        .expect("a selector")
        .iter()
        .all(|(key, value)| labels[text(key, "label").as_str()] == *value)
}

#[test]
fn the_kubernetes_manifests_run_the_api_the_workers_and_the_migration() {
    let manifests = manifests();
    let kinds: BTreeMap<&str, &str> = manifests
        .iter()
        .map(|(file, manifest)| (file.as_str(), manifest["kind"].as_str().expect("a kind")))
        .collect();
    assert_eq!(
        kinds,
        BTreeMap::from([
            ("api-deployment.yaml", "Deployment"),
            ("api-service.yaml", "Service"),
            ("configmap.yaml", "ConfigMap"),
            ("ingress.example.yaml", "Ingress"),
            ("kustomization.yaml", "Kustomization"),
            ("migrate-job.yaml", "Job"),
            ("namespace.yaml", "Namespace"),
            ("secret.example.yaml", "Secret"),
            ("worker-deployment.yaml", "Deployment"),
        ])
    );
    let namespace = &manifests["namespace.yaml"]["metadata"]["name"];
    for (file, manifest) in &manifests {
        if file != "namespace.yaml" && file != KUSTOMIZATION {
            assert_eq!(
                &manifest["metadata"]["namespace"], namespace,
                "{file}: not in the herald namespace"
            );
        }
    }
    let uid = 10001;

    // The configuration is deploy/herald.toml, word for word.
    let configmap = &manifests["configmap.yaml"];
    assert_eq!(
        configmap["data"]["herald.toml"].as_str(),
        Some(read(DEPLOY_CONFIG).as_str()),
        "configmap.yaml's herald.toml differs from {DEPLOY_CONFIG}"
    );

    // The example Secret gives the database and the key as placeholders, and names every
    // credential in a comment only: a credential in the Secret would win over the one stored
    // through the API.
    let secret = &manifests["secret.example.yaml"];
    let secret_name = &secret["metadata"]["name"];
    let stored = keys(&secret["stringData"], "stringData");
    for variable in ["HERALD_DATABASE_URL", "HERALD_SECRET_KEY"] {
        assert!(stored.contains(variable), "the Secret lacks {variable}");
        let value = text(&secret["stringData"][variable], variable);
        assert!(
            value.contains("REPLACE-ME"),
            "{variable} should be a placeholder"
        );
    }
    let example = read(&format!("{KUBERNETES}/secret.example.yaml"));
    for variable in credential_variables() {
        assert!(
            !stored.contains(&variable),
            "secret.example.yaml sets {variable}, which would shadow a stored credential"
        );
        assert!(
            example.contains(&format!("# {variable}: ")),
            "secret.example.yaml should name {variable} in a comment"
        );
    }

    // The API: herald serve, probed on the port it listens on, behind the Service.
    let api = &manifests["api-deployment.yaml"];
    let api_container = container(api, "api-deployment.yaml");
    let args = herald_args(&api_container, "api-deployment.yaml");
    assert_eq!(args[0], "serve");
    // API replicas only answer; the workers dispatch.
    assert!(
        args.iter().any(|a| a == "--no-dispatch"),
        "api-deployment.yaml: {args:?}"
    );
    let listen = port_of(&args, "--listen", "api-deployment.yaml");
    assert_container_has_no_color(&api_container, "api-deployment.yaml");
    for (probe, path) in [("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")] {
        let probe = &api_container[probe];
        assert_eq!(probe["httpGet"]["path"].as_str(), Some(path));
        assert_eq!(
            container_port(&api_container, &probe["httpGet"]["port"], "api"),
            listen
        );
    }
    if has(&api_container, "startupProbe") {
        let probe = &api_container["startupProbe"];
        assert_eq!(probe["httpGet"]["path"].as_str(), Some("/healthz"));
        assert_eq!(
            container_port(&api_container, &probe["httpGet"]["port"], "api"),
            listen
        );
    }
    assert_eq!(
        api_container["envFrom"][0]["secretRef"]["name"],
        *secret_name
    );
    assert_hardened(api, &api_container, "api-deployment.yaml", uid);
    assert_config_mounted(api, &api_container, &args, configmap);
    let api_labels = &api["spec"]["template"]["metadata"]["labels"];
    assert!(selects(&api["spec"]["selector"]["matchLabels"], api_labels));

    let service = &manifests["api-service.yaml"];
    assert!(selects(&service["spec"]["selector"], api_labels));
    let service_ports = service["spec"]["ports"].as_vec().expect("ports");
    let target = |name: &str| {
        service_ports
            .iter()
            .find(|p| p["name"].as_str() == Some(name))
            .map(|p| container_port(&api_container, &p["targetPort"], "api-service.yaml"))
    };
    assert_eq!(target("http"), Some(listen));
    let metrics = port_of(&args, "--metrics-listen", "api-deployment.yaml");
    assert_eq!(target("metrics"), Some(metrics));
    assert_metrics_port_is_free(metrics, "api-deployment.yaml");
    // Web sessions are in the database: no replica is special, so the Service spreads
    // requests instead of pinning a client (which would pile one office behind one NAT onto
    // one replica).
    assert!(
        !has(&service["spec"], "sessionAffinity"),
        "api-service.yaml: sessions are shared through the database; no affinity"
    );

    // The workers: herald worker, two of them, serving only their metrics: no Service and no
    // HTTP probes.
    let workers = &manifests["worker-deployment.yaml"];
    assert_eq!(workers["spec"]["replicas"].as_i64(), Some(2));
    let worker = container(workers, "worker-deployment.yaml");
    let args = herald_args(&worker, "worker-deployment.yaml");
    assert_eq!(args[0], "worker");
    let worker_metrics = port_of(&args, "--metrics-listen", "worker-deployment.yaml");
    assert_metrics_port_is_free(worker_metrics, "worker-deployment.yaml");
    assert_container_has_no_color(&worker, "worker-deployment.yaml");
    let worker_ports = worker["ports"].as_vec().expect("a worker's ports");
    assert_eq!(
        worker_ports.len(),
        1,
        "a worker listens on its metrics port only"
    );
    assert_eq!(worker_ports[0]["name"].as_str(), Some("metrics"));
    assert_eq!(
        worker_ports[0]["containerPort"].as_i64(),
        Some(i64::from(worker_metrics))
    );
    for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
        assert!(
            !has(&worker[probe], "httpGet"),
            "a worker serves no HTTP: its {probe} cannot be an HTTP request"
        );
    }
    let worker_labels = &workers["spec"]["template"]["metadata"]["labels"];
    assert!(selects(
        &workers["spec"]["selector"]["matchLabels"],
        worker_labels
    ));
    assert!(
        !selects(&service["spec"]["selector"], worker_labels),
        "the API Service must not send requests to workers"
    );
    assert_eq!(worker["envFrom"][0]["secretRef"]["name"], *secret_name);
    assert_hardened(workers, &worker, "worker-deployment.yaml", uid);
    assert_config_mounted(workers, &worker, &args, configmap);
    assert_eq!(api_container["image"], worker["image"]);

    // The migration: herald migrate, with only the database URL from the Secret.
    let job = &manifests["migrate-job.yaml"];
    let migrate = container(job, "migrate-job.yaml");
    assert_eq!(herald_args(&migrate, "migrate-job.yaml"), ["migrate"]);
    assert_container_has_no_color(&migrate, "migrate-job.yaml");
    let env = &env_entry(&migrate, "HERALD_DATABASE_URL", "migrate-job.yaml");
    assert_eq!(env["valueFrom"]["secretKeyRef"]["name"], *secret_name);
    assert_eq!(
        env["valueFrom"]["secretKeyRef"]["key"].as_str(),
        Some("HERALD_DATABASE_URL")
    );
    assert_hardened(job, &migrate, "migrate-job.yaml", uid);
    assert_eq!(migrate["image"], api_container["image"]);

    // Prometheus on Kubernetes keeps the API pods' port named `metrics`.
    let scrape = yaml("deploy/prometheus/prometheus-kubernetes.yml");
    let job = &scrape["scrape_configs"][0];
    assert_eq!(job["metrics_path"].as_str(), Some("/metrics"));
    assert_eq!(
        job["kubernetes_sd_configs"][0]["role"].as_str(),
        Some("pod")
    );
    let relabel = job["relabel_configs"].as_vec().expect("relabel_configs");
    let keeps = |label: &str, value: &str| {
        relabel.iter().any(|rule| {
            rule["action"].as_str() == Some("keep")
                && rule["regex"]
                    .as_str()
                    .is_some_and(|regex| regex.split('|').any(|v| v == value))
                && texts(&rule["source_labels"], "source_labels") == [label]
        })
    };
    assert!(keeps(
        "__meta_kubernetes_pod_container_port_name",
        "metrics"
    ));
    for labels in [api_labels, worker_labels] {
        let component = text(&labels["app.kubernetes.io/component"], "component");
        assert!(
            keeps(
                "__meta_kubernetes_pod_label_app_kubernetes_io_component",
                &component
            ),
            "Prometheus keeps the {component} pods"
        );
    }
    let named_metrics = api_container["ports"]
        .as_vec()
        .expect("ports")
        .iter()
        .any(|p| {
            p["name"].as_str() == Some("metrics")
                && p["containerPort"].as_i64() == Some(i64::from(metrics))
        });
    assert!(
        named_metrics,
        "the API's metrics port must be named `metrics`"
    );
}

const KUSTOMIZATION: &str = "kustomization.yaml";

/// `kubectl apply -f deploy/kubernetes/` would take the files alphabetically, the example
/// Secret too; `kubectl apply -k` takes the kustomization's list, in its order.
#[test]
fn the_kustomization_applies_the_manifests_in_start_order_without_the_examples() {
    let manifests = manifests();
    let kustomization = &manifests[KUSTOMIZATION];
    assert_eq!(
        kustomization["sortOptions"]["order"].as_str(),
        Some("fifo"),
        "{KUSTOMIZATION}: without fifo, kustomize reorders the resources by kind"
    );
    let resources = texts(&kustomization["resources"], "resources");
    let kind_at = |index: usize| {
        manifests[resources[index].as_str()]["kind"]
            .as_str()
            .unwrap_or_else(|| panic!("{}: no kind", resources[index]))
            .to_string()
    };
    let order: Vec<String> = (0..resources.len()).map(kind_at).collect();
    assert_eq!(
        order[..3],
        ["Namespace", "ConfigMap", "Job"],
        "{KUSTOMIZATION}: the namespace, the configuration and the migration come first: {resources:?}"
    );
    // Everything else in the folder is applied, except the examples that need editing.
    let listed: BTreeSet<&str> = resources.iter().map(String::as_str).collect();
    assert_eq!(
        listed.len(),
        resources.len(),
        "{KUSTOMIZATION} lists a file twice"
    );
    for file in manifests.keys() {
        let example = file.contains(".example.");
        let applied = listed.contains(file.as_str());
        if file == KUSTOMIZATION {
            continue;
        }
        assert_eq!(
            applied,
            !example,
            "{KUSTOMIZATION}: {file} should {}be applied",
            if example { "not " } else { "" }
        );
    }
    // The image it pins is the one the manifests run.
    let image = text(&kustomization["images"][0]["name"], "images");
    let image_of = |file: &str| text(&container(&manifests[file], file)["image"], "image");
    for file in [
        "api-deployment.yaml",
        "worker-deployment.yaml",
        "migrate-job.yaml",
    ] {
        assert!(
            image_of(file).starts_with(&format!("{image}:")),
            "{KUSTOMIZATION} pins {image}, {file} runs {}",
            image_of(file)
        );
    }
    // And it says how to create the real Secret, which it leaves out.
    let text = read(&format!("{KUBERNETES}/{KUSTOMIZATION}"));
    assert!(
        text.contains("kubectl -n herald create secret generic herald-secrets"),
        "{KUSTOMIZATION} should say how to create the Secret"
    );
}

/// The example Ingress terminates TLS for `public_url`'s host (the `__Host-` session cookie
/// needs https) and pins no one to a replica: web sessions are shared through the database.
#[test]
fn the_example_ingress_terminates_tls_and_spreads_requests_over_replicas() {
    let manifests = manifests();
    let ingress = &manifests["ingress.example.yaml"];
    let annotations = &ingress["metadata"]["annotations"];
    assert!(
        !has(annotations, "nginx.ingress.kubernetes.io/affinity"),
        "no cookie affinity: sessions are in the database"
    );
    let host = deploy_config()
        .public_url
        .trim_start_matches("https://")
        .trim_end_matches('/')
        .to_string();
    assert_eq!(text(&ingress["spec"]["rules"][0]["host"], "host"), host);
    assert!(
        texts(&ingress["spec"]["tls"][0]["hosts"], "tls hosts").contains(&host),
        "the Ingress should terminate TLS for {host}"
    );
    let backend = &ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"];
    let service = &manifests["api-service.yaml"];
    assert_eq!(backend["name"], service["metadata"]["name"]);
    assert_eq!(
        backend["port"]["name"].as_str(),
        Some("http"),
        "the Ingress should reach the API port, never the metrics"
    );
}

// --- systemd --------------------------------------------------------------------------------

/// A unit file's `[Service]` settings (a key may repeat).
fn unit_service(relative: &str) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut section = String::new();
    for line in read(relative).lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if line.starts_with('[') {
            section = line.to_string();
        } else if section == "[Service]" {
            let (key, value) = line
                .split_once('=')
                .unwrap_or_else(|| panic!("{relative}: `{line}` is not key=value"));
            out.entry(key.trim().to_string())
                .or_default()
                .push(value.trim().to_string());
        }
    }
    out
}

/// A setting given exactly once.
fn setting(service: &BTreeMap<String, Vec<String>>, unit: &str, key: &str) -> String {
    match service.get(key).map(Vec::as_slice) {
        Some([value]) => value.clone(),
        other => panic!("{unit}: {key} should be set once, is {other:?}"),
    }
}

const SERVE_UNIT: &str = "deploy/systemd/herald-serve.service";
const WORKER_UNIT: &str = "deploy/systemd/herald-worker@.service";
const SYSTEMD_SCRAPE: &str = "deploy/prometheus/prometheus-systemd.yml";

/// A unit's command line after `ExecStart`'s program, with the instance name `%i` filled in.
fn unit_command(unit: &str, instance: &str) -> Vec<String> {
    let service = unit_service(unit);
    let exec: Vec<String> = setting(&service, unit, "ExecStart")
        .split_whitespace()
        .map(|word| word.replace("%i", instance))
        .collect();
    assert!(
        exec[0].starts_with('/') && exec[0].ends_with("/herald"),
        "{unit}: ExecStart should run herald by its absolute path"
    );
    exec[1..].to_vec()
}

/// The static targets of a scrape configuration, by their `component` label.
fn scrape_targets(relative: &str) -> BTreeMap<String, Vec<String>> {
    let scrape = yaml(relative);
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for job in scrape["scrape_configs"].as_vec().expect("scrape_configs") {
        assert_eq!(job["metrics_path"].as_str(), Some("/metrics"), "{relative}");
        for config in job["static_configs"].as_vec().cloned().unwrap_or_default() {
            let component = text(&config["labels"]["component"], "component");
            out.entry(component)
                .or_default()
                .extend(texts(&config["targets"], "targets"));
        }
    }
    out
}

#[test]
fn the_systemd_units_run_real_commands_hardened() {
    // Workers are enabled by the port their metrics are served on: the instances Prometheus
    // scrapes are the ones to check.
    let targets = scrape_targets(SYSTEMD_SCRAPE);
    let workers = targets
        .get("worker")
        .unwrap_or_else(|| panic!("{SYSTEMD_SCRAPE} scrapes no worker"));
    assert!(
        workers.len() >= 2,
        "{SYSTEMD_SCRAPE}: two workers, as documented"
    );
    let instance = |target: &String| target.rsplit(':').next().unwrap_or("").to_string();
    let mut commands = vec![(SERVE_UNIT, "serve", unit_command(SERVE_UNIT, ""))];
    for target in workers {
        commands.push((
            WORKER_UNIT,
            "worker",
            unit_command(WORKER_UNIT, &instance(target)),
        ));
    }
    for (unit, subcommand, args) in &commands {
        assert_eq!(args[0], *subcommand, "{unit}");
        assert_herald_accepts(args, unit);
        assert_eq!(flag_value(args, "--config"), Some(MOUNTED_CONFIG), "{unit}");
        // Every process serves its metrics on loopback, where Prometheus on the same machine
        // scrapes them, on a port no exporter takes.
        let listen = flag_value(args, "--metrics-listen")
            .unwrap_or_else(|| panic!("{unit}: no --metrics-listen"));
        assert!(listen.starts_with("127.0.0.1:"), "{unit}: {listen}");
        assert_metrics_port_is_free(port_of(args, "--metrics-listen", unit), unit);
        let component = if *subcommand == "serve" {
            "api"
        } else {
            "worker"
        };
        assert!(
            targets[component].iter().any(|target| target == listen),
            "{SYSTEMD_SCRAPE} should scrape {listen} ({unit})"
        );
    }
    assert!(
        read(WORKER_UNIT).contains("--metrics-listen 127.0.0.1:%i"),
        "{WORKER_UNIT}: each instance's metrics port is its instance name"
    );

    for unit in [SERVE_UNIT, WORKER_UNIT] {
        let service = unit_service(unit);
        let one = |key: &str| setting(&service, unit, key);
        assert_eq!(one("EnvironmentFile"), "/etc/herald/herald.env", "{unit}");
        assert_eq!(one("Environment"), "NO_COLOR=1", "{unit}");
        assert_eq!(one("Restart"), "on-failure", "{unit}");
        assert_eq!(one("KillSignal"), "SIGTERM", "{unit}");
        assert!(!one("TimeoutStopSec").is_empty(), "{unit}");
        for (key, value) in [
            ("NoNewPrivileges", "yes"),
            ("ProtectSystem", "strict"),
            ("ProtectHome", "yes"),
            ("PrivateTmp", "yes"),
            ("StateDirectory", "herald"),
        ] {
            assert_eq!(one(key), value, "{unit}: {key}");
        }
        let user = service.contains_key("User") || one("DynamicUser") == "yes";
        assert!(user, "{unit}: herald must not run as root");
        if service.contains_key("User") {
            assert_ne!(one("User"), "root", "{unit}");
        }
    }
}

/// The environment file sets the database and the key, and names every credential in a
/// comment only: an environment variable wins over a credential stored through the API, so a
/// placeholder left in would silently replace the real one.
#[test]
fn the_environment_example_does_not_shadow_stored_credentials() {
    const EXAMPLE: &str = "deploy/systemd/herald.env.example";
    let example = read(EXAMPLE);
    let assigned: BTreeMap<&str, &str> = example
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .filter_map(|line| line.split_once('='))
        .collect();
    assert_eq!(
        assigned.keys().copied().collect::<Vec<_>>(),
        ["HERALD_DATABASE_URL", "HERALD_SECRET_KEY"],
        "{EXAMPLE} should set only the database and the key"
    );
    assert_eq!(assigned["HERALD_SECRET_KEY"], "REPLACE-ME");
    for variable in credential_variables() {
        assert!(
            example.lines().any(|line| line == format!("#{variable}=")),
            "{EXAMPLE} should name {variable} in a comment, ready to uncomment"
        );
    }
    let prose = example
        .lines()
        .filter_map(|line| line.strip_prefix("# "))
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        prose.contains("An environment variable always wins over a stored value"),
        "{EXAMPLE} should say that an environment variable wins over a stored value"
    );
}

// --- nginx ----------------------------------------------------------------------------------

const NGINX: &str = "deploy/nginx/herald.conf";

/// The directives of an nginx file named `name`, each as its words (comments dropped).
fn nginx_directives(text: &str, name: &str) -> Vec<Vec<String>> {
    text.lines()
        .map(|line| line.split('#').next().unwrap_or("").trim())
        .filter_map(|line| line.strip_suffix(';'))
        .map(|line| {
            line.split_whitespace()
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .filter(|words| words.first().is_some_and(|word| word == name))
        .collect()
}

/// nginx's size syntax (`8m`, `512k`, `1024`) in bytes.
fn nginx_bytes(size: &str) -> usize {
    let (number, unit) = size.split_at(size.trim_end_matches(char::is_alphabetic).len());
    let number: usize = number.parse().unwrap_or_else(|_| panic!("a size: {size}"));
    number
        * match unit.to_ascii_lowercase().as_str() {
            "" => 1,
            "k" => 1024,
            "m" => 1024 * 1024,
            "g" => 1024 * 1024 * 1024,
            other => panic!("unit {other}"),
        }
}

/// The reverse proxy of the systemd layout reaches herald where it listens, hands it the
/// client's address in the one header herald reads from a proxy it trusts, and lets through
/// what herald accepts.
#[test]
fn the_nginx_example_forwards_to_herald_as_herald_expects() {
    let text = read(NGINX);
    let serve = unit_command(SERVE_UNIT, "");
    let listen = flag_value(&serve, "--listen").expect("herald-serve --listen");
    let upstreams = nginx_directives(&text, "server");
    assert_eq!(
        upstreams,
        [vec!["server".to_string(), listen.to_string()]],
        "{NGINX}: the upstream should be herald-serve's --listen"
    );
    let proxy = listen.parse::<SocketAddr>().expect("an address").ip();
    assert!(
        deploy_config().trusted_proxies.trusts(proxy),
        "{DEPLOY_CONFIG}: trusted_proxies should name {proxy}, where nginx connects from"
    );
    let forwarded = nginx_directives(&text, "proxy_set_header");
    assert!(
        forwarded
            .iter()
            .any(|words| words[1..] == ["X-Forwarded-For", "$proxy_add_x_forwarded_for"]),
        "{NGINX}: X-Forwarded-For must carry the client's address: {forwarded:?}"
    );
    let body = nginx_directives(&text, "client_max_body_size");
    assert!(
        body.len() == 1 && nginx_bytes(&body[0][1]) > herald::api::MAX_BODY_BYTES,
        "{NGINX}: client_max_body_size should let herald's own limit answer: {body:?}"
    );
    let timeout = nginx_directives(&text, "proxy_read_timeout");
    let seconds: u64 = timeout
        .first()
        .and_then(|words| words[1].strip_suffix('s'))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{NGINX}: proxy_read_timeout in seconds: {timeout:?}"));
    assert!(
        seconds > herald::api::REQUEST_TIMEOUT.as_secs(),
        "{NGINX}: nginx should wait longer than herald takes to answer"
    );
    assert!(
        read("docs/OPERATIONS.md").contains(NGINX),
        "docs/OPERATIONS.md should point at {NGINX}"
    );
}

// --- docs/CONFIGURATION.md ------------------------------------------------------------------

const REFERENCE: &str = "docs/CONFIGURATION.md";

/// The lines of the reference from a heading containing `heading` to the next heading of the
/// same or a higher level.
fn section<'a>(reference: &'a str, heading: &str) -> Vec<&'a str> {
    let mut lines = reference.lines();
    let Some(start) = lines
        .by_ref()
        .find(|line| line.starts_with('#') && line.contains(heading))
    else {
        panic!("{REFERENCE} has no heading with {heading}");
    };
    let level = start.chars().take_while(|c| *c == '#').count();
    lines
        .take_while(|line| {
            let hashes = line.chars().take_while(|c| *c == '#').count();
            hashes == 0 || hashes > level || !line[hashes..].starts_with(' ')
        })
        .collect()
}

/// Whether a line names `` `--flag` `` or `` `--flag VALUE` `` (not a longer flag).
fn names_flag(line: &str, flag: &str) -> bool {
    line.match_indices(&format!("`{flag}")).any(|(at, found)| {
        matches!(
            line[at + found.len()..].chars().next(),
            Some(' ' | '`' | '\\' | ',')
        )
    })
}

/// What `herald … --help` says about a command.
#[derive(Debug, Default)]
struct Help {
    commands: Vec<String>,
    options: Vec<HelpOption>,
    /// (argument name, default)
    arguments: Vec<(String, Option<String>)>,
}

#[derive(Debug)]
struct HelpOption {
    long: String,
    default: Option<String>,
    possible: Vec<String>,
    env: Option<String>,
}

fn bracketed(line: &str, label: &str) -> Option<String> {
    let start = line.find(&format!("[{label}: "))? + label.len() + 3;
    let end = line[start..].find(']')? + start;
    Some(line[start..end].to_string())
}

fn help_of(path: &[&str]) -> Help {
    let output = herald().args(path).arg("--help").output().expect("herald");
    assert!(output.status.success(), "herald {path:?} --help");
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    let mut help = Help::default();
    let mut part = "";
    for line in text.lines() {
        if !line.starts_with(' ') {
            part = line;
            continue;
        }
        let item = line.trim();
        match part {
            "Commands:" => {
                let name = item.split_whitespace().next().unwrap_or("");
                if name != "help" {
                    help.commands.push(name.to_string());
                }
            }
            "Arguments:" => {
                let name = item.split_whitespace().next().unwrap_or("");
                let name = name.trim_end_matches("...");
                let name = name.trim_matches(['[', ']', '<', '>']);
                help.arguments
                    .push((name.to_string(), bracketed(item, "default")));
            }
            "Options:" => {
                let item = item
                    .split_once(", ")
                    .filter(|(short, _)| short.len() == 2)
                    .map_or(item, |(_, long)| long);
                let long: String = item
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                    .collect();
                let possible = bracketed(item, "possible values")
                    .map(|values| values.split(", ").map(str::to_string).collect())
                    .unwrap_or_default();
                help.options.push(HelpOption {
                    long,
                    default: bracketed(item, "default"),
                    possible,
                    env: bracketed(item, "env"),
                });
            }
            _ => {}
        }
    }
    help
}

/// Every leaf command (`["deadletter", "list"]`, …), from the binary's own help.
fn command_paths() -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut pending: Vec<Vec<String>> =
        help_of(&[]).commands.into_iter().map(|c| vec![c]).collect();
    while let Some(path) = pending.pop() {
        let refs: Vec<&str> = path.iter().map(String::as_str).collect();
        let help = help_of(&refs);
        if help.commands.is_empty() {
            out.push(path);
        } else {
            for command in help.commands {
                let mut deeper = path.clone();
                deeper.push(command);
                pending.push(deeper);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn the_reference_documents_every_command_flag_and_default() {
    let reference = read(REFERENCE);
    let global = help_of(&[]);
    let global_flags: BTreeSet<&str> = global.options.iter().map(|o| o.long.as_str()).collect();
    let global_section = section(&reference, "## Global options");
    for HelpOption {
        long: flag,
        default,
        env,
        ..
    } in &global.options
    {
        let line = global_section
            .iter()
            .find(|line| names_flag(line, flag))
            .unwrap_or_else(|| panic!("{REFERENCE}: global option {flag} is not documented"));
        if let Some(default) = default {
            assert!(
                line.contains(&format!("`{default}`")),
                "{flag}: default {default}"
            );
        }
        if let Some(env) = env {
            assert!(line.contains(env), "{flag}: environment variable {env}");
        }
    }

    let paths = command_paths();
    assert!(paths.len() >= 10, "found only {paths:?}");
    for path in &paths {
        let refs: Vec<&str> = path.iter().map(String::as_str).collect();
        let heading = format!("`herald {}`", path.join(" "));
        let lines = section(&reference, &heading);
        let help = help_of(&refs);
        for HelpOption {
            long: flag,
            default,
            possible,
            env,
        } in &help.options
        {
            if global_flags.contains(flag.as_str()) {
                continue;
            }
            let line = lines
                .iter()
                .find(|line| names_flag(line, flag))
                .unwrap_or_else(|| panic!("{REFERENCE}: {heading} does not document {flag}"));
            if let Some(default) = default {
                assert!(
                    line.contains(&format!("`{default}`")),
                    "{REFERENCE}: {heading} {flag} should give its default `{default}`: {line}"
                );
            }
            for value in possible {
                assert!(
                    line.contains(value.as_str()),
                    "{REFERENCE}: {heading} {flag} should list `{value}`: {line}"
                );
            }
            if let Some(env) = env {
                assert!(line.contains(env.as_str()), "{heading} {flag}: {env}");
            }
        }
        for (argument, default) in &help.arguments {
            let line = lines
                .iter()
                .find(|line| line.contains(&format!("`{argument}`")))
                .unwrap_or_else(|| panic!("{REFERENCE}: {heading} does not document {argument}"));
            if let Some(default) = default {
                assert!(
                    line.contains(&format!("`{default}`")),
                    "{REFERENCE}: {heading} {argument} should give its default `{default}`"
                );
            }
        }
    }

    // And documents no command herald does not have.
    let known: BTreeSet<String> = paths
        .iter()
        .map(|path| format!("`herald {}`", path.join(" ")))
        .collect();
    for line in reference
        .lines()
        .filter(|line| line.starts_with("### `herald "))
    {
        let heading = line.trim_start_matches("### ");
        assert!(
            known.contains(heading),
            "{REFERENCE} documents {heading}, which herald does not have"
        );
    }
}

/// The string literals of every `&[…]` key list in `src/config.rs` (outside its tests): the
/// keys `herald.toml` accepts at the top level, in an account and in `rate`.
fn config_key_lists() -> Vec<Vec<String>> {
    let source = read("src/config.rs");
    let source = source.split("#[cfg(test)]").next().unwrap_or("");
    let mut lists = Vec::new();
    for (at, _) in source.match_indices("&[") {
        let Some(end) = source[at..].find(']') else {
            continue;
        };
        let body = &source[at + 2..at + end];
        let literals: Vec<String> = body
            .split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(|item| item.strip_prefix('"').and_then(|i| i.strip_suffix('"')))
            .collect::<Option<Vec<&str>>>()
            .map(|items| items.into_iter().map(str::to_string).collect())
            .unwrap_or_default();
        if !literals.is_empty() {
            lists.push(literals);
        }
    }
    lists
}

/// The table row of the reference whose first cell is `` `key` ``, split into cells.
fn row<'a>(lines: &[&'a str], key: &str) -> Vec<&'a str> {
    let start = format!("| `{key}` |");
    let line = lines
        .iter()
        .find(|line| line.starts_with(&start))
        .unwrap_or_else(|| panic!("{REFERENCE}: no table row for `{key}`"));
    line.split(" | ")
        .map(|cell| cell.trim_matches(['|', ' ']))
        .collect()
}

#[test]
fn the_reference_documents_every_configuration_key_with_its_default() {
    let reference = read(REFERENCE);
    let lines = section(&reference, "## `herald.toml`");
    let lists = config_key_lists();
    let all: BTreeSet<&str> = lists.iter().flatten().map(String::as_str).collect();
    for expected in [
        "public_url",
        "accounts",
        "sender_name",
        "timeout_seconds",
        "daily_cap",
    ] {
        assert!(
            all.contains(expected),
            "could not read the key lists of src/config.rs: {lists:?}"
        );
    }
    for key in &all {
        row(&lines, key);
    }

    // Defaults, as the code has them.
    let defaults = [
        ("public_url", herald::config::DEFAULT_PUBLIC_URL.to_string()),
        (
            "max_in_flight",
            herald::config::DEFAULT_MAX_IN_FLIGHT.to_string(),
        ),
        (
            "timeout_seconds",
            herald::config::DEFAULT_TIMEOUT.as_secs().to_string(),
        ),
        (
            "api_version",
            herald::config::DEFAULT_GRAPH_API_VERSION.to_string(),
        ),
    ];
    for (key, default) in defaults {
        let cells = row(&lines, key);
        assert_eq!(
            cells.get(2).copied(),
            Some(format!("`{default}`").as_str()),
            "{REFERENCE}: `{key}` defaults to `{default}`"
        );
    }

    // Every platform, and each one's credential keys in the right column.
    let platforms = row(&lines, "platform").join(" ");
    for platform in Platform::ALL {
        assert!(platforms.contains(&format!("`{}`", platform.name())));
        let cells = row(&lines, platform.name());
        // Every `name` in the cell (a platform with two sets lists both, each said which).
        let listed = |cell: &str| -> BTreeSet<String> {
            cell.split('`')
                .skip(1)
                .step_by(2)
                .map(str::to_string)
                .collect()
        };
        let alternative = platform.alternative_credentials();
        let required: BTreeSet<String> = platform
            .credential_keys()
            .iter()
            .chain(alternative.iter().flat_map(|set| set.required))
            .map(|k| k.to_string())
            .collect();
        let optional: BTreeSet<String> = platform
            .optional_credential_keys()
            .iter()
            .chain(alternative.iter().flat_map(|set| set.optional))
            .map(|k| k.to_string())
            .collect();
        assert_eq!(
            listed(cells[1]),
            required,
            "{platform}: required credentials"
        );
        assert_eq!(
            listed(cells[2]),
            optional,
            "{platform}: optional credentials"
        );
        for key in required.iter().chain(&optional) {
            assert!(
                lines
                    .iter()
                    .any(|line| line.starts_with("- ") && line.contains(&format!("`{key}`"))),
                "{REFERENCE}: credential `{key}` is not explained"
            );
        }
    }
}

fn rust_files(directory: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(directory).expect("a source folder") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `HERALD_…` names in `text`.
fn herald_names(text: &str) -> BTreeSet<String> {
    text.match_indices("HERALD_")
        .map(|(at, _)| {
            text[at..]
                .chars()
                .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '_')
                .collect::<String>()
                .trim_end_matches('_')
                .to_string()
        })
        .filter(|name| name.len() > "HERALD".len())
        .collect()
}

/// Every `HERALD_…` variable herald or its tests read: any named in `src/` outside test
/// modules, those that tests and benchmarks read with `env::var`, and those CI exports.
fn herald_variables() -> BTreeSet<String> {
    let mut variables = BTreeSet::new();
    let mut files = Vec::new();
    rust_files(&root().join("src"), &mut files);
    for file in &files {
        let source = std::fs::read_to_string(file).expect("a source file");
        let code = source.split("#[cfg(test)]").next().unwrap_or("");
        variables.extend(herald_names(code));
    }
    let mut files = Vec::new();
    rust_files(&root().join("tests"), &mut files);
    rust_files(&root().join("benches"), &mut files);
    for file in &files {
        let source = std::fs::read_to_string(file).expect("a source file");
        for call in ["env::var(\"", "env::var_os(\""] {
            for (at, found) in source.match_indices(call) {
                variables.extend(herald_names(
                    source[at + found.len()..].split('"').next().unwrap_or(""),
                ));
            }
        }
    }
    for line in read(".ci/run").lines() {
        if let Some(rest) = line.trim().strip_prefix("export ") {
            variables.extend(herald_names(rest.split('=').next().unwrap_or("")));
        }
    }
    variables
}

#[test]
fn the_reference_documents_every_environment_variable() {
    let reference = read(REFERENCE);
    let variables = herald_variables();
    for known in [
        "HERALD_DATABASE_URL",
        "HERALD_SECRET_KEY",
        "HERALD_TEST_POSTGRES_URL",
        "HERALD_REQUIRE_BROWSER",
        "HERALD_BENCH_FULL",
        "HERALD_BENCH_SUBSCRIBERS",
    ] {
        assert!(
            variables.contains(known),
            "the scan missed {known}: found {variables:?}"
        );
    }
    for variable in &variables {
        assert!(
            reference.contains(&format!("`{variable}`")),
            "{REFERENCE} does not document {variable}"
        );
    }
    // The key's format and what it seals.
    let key = section(&reference, "### `HERALD_SECRET_KEY`").join("\n");
    for words in [
        "64 hexadecimal",
        "stored credentials",
        "subscriber identifiers",
    ] {
        assert!(key.contains(words), "HERALD_SECRET_KEY: {words}");
    }
}

#[test]
fn the_operations_guide_points_at_the_deployment_files_and_the_reference() {
    let guide = read("docs/OPERATIONS.md");
    let lines = section(&guide, "## Deployment and scaling out").join("\n");
    for words in [
        "deploy/",
        "docs/CONFIGURATION.md",
        "FOR UPDATE SKIP",
        "SQLite",
    ] {
        assert!(
            lines.contains(words),
            "the deployment section of docs/OPERATIONS.md: {words}"
        );
    }
    // Its table of ports gives the ports the image listens on.
    let ports = section(&guide, "## Ports").join("\n");
    let runtime = dockerfile_stages(&read("deploy/Dockerfile"))
        .pop()
        .expect("a runtime stage");
    let cmd = json_array(runtime.last("CMD").expect("CMD"), "CMD");
    for flag in ["--listen", "--metrics-listen"] {
        let port = port_of(&cmd, flag, "Dockerfile CMD");
        assert!(
            ports.contains(&format!("| {port} | `herald serve {flag}`")),
            "docs/OPERATIONS.md, Ports: port {port} ({flag})"
        );
    }
}
