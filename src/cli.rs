//! The `careline` command line. Every failure prints one clear line and exits non-zero.

use crate::config::Config;
use clap::{Parser, Subcommand};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "careline",
    version,
    about = "CareLine: healthcare IVR platform and back office"
)]
struct Cli {
    /// Configuration file (TOML). Default: ./careline.toml when present.
    #[arg(long, global = true, env = "CARELINE_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start the server (HTTP API, docs at /docs).
    Serve {
        /// Load the demo data set and print its logins.
        #[arg(long)]
        demo: bool,
    },
    /// Bring the database schema up to date.
    Migrate {
        /// Only show applied and pending migrations.
        #[arg(long)]
        status: bool,
    },
    /// Load data sets.
    Seed {
        /// The documented demo data set (safe to run twice).
        #[arg(long)]
        demo: bool,
    },
    /// Manage user accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// The audit trail.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Configuration.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
    /// Print the OpenAPI document.
    Openapi,
    /// Phone menu files.
    Menu {
        #[command(subcommand)]
        command: MenuCommand,
    },
    /// A softphone in the terminal: call the phone menu, or replay a recorded call.
    Call(CallArgs),
    /// Background jobs (docs/jobs.md): list them, retry a dead one, cancel one.
    Jobs {
        #[command(subcommand)]
        command: JobsCommand,
    },
    /// Place one appointment reminder call over SIP and wait until it ends (for the real-peer
    /// tests, tests/sipp; the job system places real reminder calls). Prints the outcome.
    #[command(hide = true)]
    SipDial {
        /// The callee: an E.164 number (through `sip_trunk_uri`) or a full sip: URI.
        #[arg(long)]
        to: String,
        /// The practice's line the call comes from, E.164.
        #[arg(long)]
        from: String,
        /// The appointment the call reminds of (its patient is the callee).
        #[arg(long)]
        appointment: String,
        /// Seconds to let it ring (default: sip_ring_timeout_secs).
        #[arg(long)]
        ring_secs: Option<u64>,
    },
}

#[derive(Subcommand)]
enum JobsCommand {
    /// Jobs, newest first: id, state, kind, attempts, when it runs, last error.
    List {
        /// queued, running, retrying, succeeded, dead or cancelled
        #[arg(long)]
        state: Option<String>,
        /// A job kind, e.g. recordings.purge
        #[arg(long)]
        kind: Option<String>,
        #[arg(long, default_value_t = 1)]
        page: u64,
        #[arg(long, default_value_t = 50)]
        per_page: u64,
    },
    /// Run a dead or cancelled job again, now, with a fresh set of attempts.
    Retry { id: String },
    /// Stop a job that has not finished.
    Cancel { id: String },
}

#[derive(Subcommand)]
enum MenuCommand {
    /// Report unknown actions, unreachable menus, dead ends, loops with no exit, missing
    /// prompts and options that would fail every call, each with its line. Exit status 1 when
    /// there are any. Also warns (exit status 0) about a menu that takes over the agent key
    /// and about words the built-in voice would spell letter by letter.
    Check {
        /// The menu file (TOML).
        file: PathBuf,
    },
}

#[derive(clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
struct CallArgs {
    #[command(subcommand)]
    command: Option<CallCommand>,
    /// The caller's number (caller ID), E.164. Omit for a withheld number.
    #[arg(long)]
    from: Option<String>,
    /// The number dialed; it selects the territory.
    #[arg(long, default_value = "+15025550100")]
    to: String,
    /// Keys to press, entry by entry, instead of reading the keyboard: e.g.
    /// "1 03141958 2468# 10000001#"; "-" is a timeout.
    #[arg(long, conflicts_with = "say")]
    keys: Option<String>,
    /// Words to say (and keys to press), entry by entry, separated by "|": e.g.
    /// "I need to move my appointment | june ninth nineteen fifty one | move it".
    #[arg(long)]
    say: Option<String>,
}

#[derive(Subcommand)]
enum CallCommand {
    /// Re-run a recorded call's inputs through the engine and show what it did.
    Replay {
        call_id: String,
        /// Show the keys pressed (dates of birth, PINs). Hidden by default.
        #[arg(long)]
        show_keys: bool,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a user. The password is read from standard input, never from the command line.
    Add {
        #[arg(long)]
        email: String,
        /// admin, doctor, ivr_specialist, master_distributor, distributor, salesperson, shipping_logistics
        #[arg(long)]
        role: String,
        /// Full name (default: the email's name part).
        #[arg(long)]
        name: Option<String>,
        /// Email of the manager in the sales hierarchy.
        #[arg(long)]
        manager: Option<String>,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Recompute the hash chain and name the first broken record.
    Verify,
}

#[derive(Subcommand)]
enum ConfigCommand {
    /// Check the configuration, keys and database connection.
    Check,
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    // Checking a menu file needs no configuration (and must work when the configured menu
    // file is the broken one).
    if let Command::Menu {
        command: MenuCommand::Check { file },
    } = &cli.command
    {
        return menu_check(file, cli.config.as_deref());
    }
    let config = match Config::load(cli.config.as_deref()) {
        Ok(c) => c,
        Err(e) => return fail(e),
    };
    // The SIP settings are checked here, with the rest, rather than in `Config::check`: the
    // configuration knows nothing of the transports that read it.
    if let Err(e) = crate::sip::SipSettings::from_config(&config) {
        return fail(e);
    }
    crate::telemetry::init(&config);
    let rt = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => return fail(format!("cannot start runtime: {e}")),
    };
    match rt.block_on(run(cli.command, config)) {
        Ok(code) => code,
        Err(e) => fail(e),
    }
}

fn fail(msg: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {msg}");
    ExitCode::FAILURE
}

async fn run(command: Command, config: Config) -> Result<ExitCode, String> {
    use crate::server::open_store;
    match command {
        Command::Serve { demo } => {
            crate::server::serve(config, demo).await?;
        }
        Command::Migrate { status } => {
            let (store, source) = open_store(&config, true).await?;
            // Keys made here are the same development keys `serve` would make: same warning.
            crate::keys::warn_if_development(&source);
            if status {
                let (applied, pending) =
                    store.migration_status().await.map_err(|e| e.to_string())?;
                for m in applied {
                    println!("applied  {m}");
                }
                for m in pending {
                    println!("pending  {m}");
                }
            } else {
                let (_, pending) = store
                    .migration_status()
                    .await
                    .map_err(|e| format!("migration failed: {e}"))?;
                store
                    .migrate()
                    .await
                    .map_err(|e| format!("migration failed: {e}"))?;
                let engine = store.engine().name();
                match pending.len() {
                    0 => println!("database was already up to date ({engine}); nothing applied"),
                    n => println!(
                        "applied {n} migration{}; database is up to date ({engine})",
                        if n == 1 { "" } else { "s" }
                    ),
                }
            }
        }
        Command::Seed { demo } => {
            if !demo {
                return Err("say which data set: `careline seed --demo`".into());
            }
            let (store, source) = open_store(&config, true).await?;
            crate::keys::warn_if_development(&source);
            store
                .migrate()
                .await
                .map_err(|e| format!("migration failed: {e}"))?;
            let seeded = crate::demo::seed(&store).await?;
            crate::demo::print_logins(&seeded);
        }
        Command::User {
            command:
                UserCommand::Add {
                    email,
                    role,
                    name,
                    manager,
                },
        } => {
            let role: careline_domain::Role = role.parse()?;
            let password = read_password()?;
            let full_name =
                name.unwrap_or_else(|| email.split('@').next().unwrap_or("").to_string());
            // Check everything about the account before touching the data directory.
            let body = crate::api::users::create::UserCreate {
                email,
                password,
                role,
                full_name,
                phone: None,
                npi: None,
                manager_id: None,
                organization_id: None,
                facility_id: None,
                territory_id: None,
            };
            let mut new = crate::api::users::create::parse_new_user(body).map_err(|e| e.message)?;
            let (store, source) = open_store(&config, true).await?;
            crate::keys::warn_if_development(&source);
            store
                .migrate()
                .await
                .map_err(|e| format!("migration failed: {e}"))?;
            if let Some(m) = &manager {
                new.manager_id = Some(
                    careline_store::users::credentials(&store, m)
                        .await
                        .map_err(|e| e.to_string())?
                        .ok_or_else(|| format!("--manager: no user with email {m}"))?
                        .user
                        .id,
                );
            }
            let user = careline_store::users::create(&store, new, None, chrono::Utc::now())
                .await
                .map_err(|e| match e {
                    careline_store::StoreError::Invalid(f) => f
                        .into_iter()
                        .map(|(k, v)| match (k.as_str(), &manager) {
                            // The store names its column; the user typed a flag.
                            ("manager_id", Some(m)) => format!("--manager {m}: {v}"),
                            ("manager_id", None) => format!("--manager: {v}"),
                            _ => format!("{k}: {v}"),
                        })
                        .collect::<Vec<_>>()
                        .join("; "),
                    other => other.to_string(),
                })?;
            careline_store::audit::append(
                &store,
                &[careline_store::audit::AuditEvent::new(
                    careline_domain::audit::AuditType::Administration,
                    careline_domain::audit::AuditAction::C,
                    format!("user created from the command line with role {}", user.role),
                )
                .entity("user", user.id)],
            )
            .await
            .map_err(|e| e.to_string())?;
            println!("created {} ({}) id {}", user.email, user.role, user.id);
        }
        Command::Audit {
            command: AuditCommand::Verify,
        } => {
            let (store, _) = open_store(&config, false).await?;
            let report = careline_store::audit::verify_chain(&store)
                .await
                .map_err(|e| e.to_string())?;
            match report.first_broken {
                None => {
                    println!(
                        "audit chain intact: {} records, head {}",
                        report.records_checked, report.head_hash
                    );
                }
                Some((seq, why)) => {
                    eprintln!(
                        "error: audit chain broken at record {seq}: {why} ({} records checked)",
                        report.records_checked
                    );
                    // Running servers tell their admins (SYSTEM_ALERT). Best effort: the check
                    // may be run against a copy that does not accept writes.
                    let alert = careline_store::outbox::alert::new(
                        careline_store::outbox::alert::AUDIT_CHAIN_BROKEN,
                        seq,
                    );
                    if let Err(e) =
                        careline_store::outbox::publish(&store, &[alert], chrono::Utc::now()).await
                    {
                        eprintln!("warning: could not raise the alert for running servers: {e}");
                    }
                    return Ok(ExitCode::from(2));
                }
            }
        }
        Command::Config {
            command: ConfigCommand::Check,
        } => {
            // Everything is shown even when a part fails: the point of the check is to see
            // the whole configuration next to what is wrong with it.
            let mut failures: Vec<String> = Vec::new();
            let keys = match crate::keys::load(&config, false) {
                Ok((ring, source)) => {
                    let origin = match source {
                        crate::keys::KeySource::Inline => "inline (CARELINE_KEYS)".to_string(),
                        crate::keys::KeySource::File(p)
                        | crate::keys::KeySource::GeneratedDevelopment(p) => {
                            p.display().to_string()
                        }
                    };
                    format!("{origin}; active PHI key {}", ring.active_key_id())
                }
                Err(e) => {
                    failures.push(e.clone());
                    format!("not usable: {e}")
                }
            };
            let url = crate::config::redact_url(&config.database_url());
            let database = match database_status(&config).await {
                Ok(pending) => format!("{url} (reachable, {pending} pending migrations)"),
                Err(e) => {
                    let line = format!("database not reachable: {e}");
                    failures.push(line.clone());
                    format!("{url} ({line})")
                }
            };
            let menus = config.call_config()?;
            println!("configuration: ok");
            println!("  data_dir  {}", config.data_dir.display());
            println!("  database  {database}");
            println!("  bind      {}", config.bind);
            println!("  keys      {keys}");
            println!("  log       {} at {}", config.log_format, config.log_level);
            println!(
                "  phone     menus from {} ({} menus, languages {}); Twilio {}",
                config
                    .ivr_file
                    .as_ref()
                    .map(|p| p.display().to_string())
                    .unwrap_or_else(|| "the built-in file".into()),
                menus.menus.len(),
                menus.languages.join(", "),
                if config.twilio_auth_token.is_some() && config.public_url.is_some() {
                    "on"
                } else {
                    "off (set twilio_auth_token and public_url)"
                }
            );
            if let Some(first) = failures.first() {
                return Err(if failures.len() == 1 {
                    first.clone()
                } else {
                    failures.join("; ")
                });
            }
        }
        Command::Menu { .. } => unreachable!("handled before the configuration loads"),
        Command::Call(args) => {
            let (store, _) = open_store(&config, true).await?;
            let calls = crate::calls::Calls::build(&store, &config)?;
            match args.command {
                Some(CallCommand::Replay { call_id, show_keys }) => {
                    return replay(&calls, &call_id, show_keys).await;
                }
                None => {
                    let dial = crate::simulator::Dial {
                        from: args.from.as_deref(),
                        to: &args.to,
                        agent_number: config.agent_number.as_deref(),
                    };
                    let script = match (args.keys, args.say) {
                        (Some(keys), _) => Some(crate::simulator::parse_script(&keys)?),
                        (None, Some(said)) => Some(crate::simulator::parse_said(&said)?),
                        (None, None) => None,
                    };
                    let t = match script {
                        Some(entries) => {
                            let t = crate::simulator::run_script(
                                &calls, &store, dial, &entries, true, None,
                            )
                            .await?;
                            println!(
                                "call {} ended; replay it with: careline call replay {}",
                                t.call_id, t.call_id
                            );
                            t
                        }
                        None => crate::simulator::run_interactive(&calls, &store, dial).await?,
                    };
                    // A call in which the caller spoke left a stored conversation.
                    if let Some(id) =
                        careline_store::voice_interactions::of_call(&store, &t.call_id)
                            .await
                            .map_err(|e| e.to_string())?
                    {
                        println!(
                            "its conversation is stored: /conversations/{id} on the dashboard, GET /api/v1/voice-interactions/{id}"
                        );
                    }
                    if !t.ended {
                        return Err("the call did not end cleanly".into());
                    }
                }
            }
        }
        Command::Jobs { command } => return jobs_command(command, &config).await,
        Command::SipDial {
            to,
            from,
            appointment,
            ring_secs,
        } => return sip_dial(&config, to, from, &appointment, ring_secs).await,
        Command::Openapi => {
            let doc = crate::api::openapi();
            println!(
                "{}",
                serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `careline sip-dial`: a SIP transport of its own (on `sip_listen`), one reminder call, and
/// its outcome on stdout (`answered <call id>`, `busy`, `no_answer`, `declined <status>`,
/// `failed <reason>`); an answered call is waited for until it ends (at most 10 minutes).
async fn sip_dial(
    config: &Config,
    to: String,
    from: String,
    appointment: &str,
    ring_secs: Option<u64>,
) -> Result<ExitCode, String> {
    use crate::sip::outbound::{Dial, DialOutcome};
    let appointment_id: uuid::Uuid = appointment
        .parse()
        .map_err(|_| format!("--appointment: '{appointment}' is not an id"))?;
    let settings = crate::sip::SipSettings::from_config(config)?
        .ok_or("sip_listen is off: no SIP to call with")?;
    let (store, _) = crate::server::open_store(config, false).await?;
    let system = careline_domain::Actor {
        user_id: uuid::Uuid::nil(),
        role: careline_domain::Role::Admin,
    };
    let booked = careline_store::appointments::get(&store, &system, appointment_id)
        .await
        .map_err(|e| format!("--appointment: {e}"))?;
    let calls = crate::calls::Calls::build(&store, config)?;
    let voice = crate::sip::voice(config, calls.config())?;
    let server = crate::sip::SipServer::start(settings, calls, std::sync::Arc::new(voice)).await?;
    let outcome = server
        .dialer()
        .dial(Dial {
            to,
            caller_id: from,
            purpose: careline_call::engine::Outbound::AppointmentReminder {
                patient_id: booked.patient_id,
                appointment_id,
            },
            ring_timeout: ring_secs.map(std::time::Duration::from_secs),
        })
        .await;
    let line = match &outcome {
        DialOutcome::Answered { call_id } => format!("answered {call_id}"),
        DialOutcome::Busy => "busy".into(),
        DialOutcome::NoAnswer => "no_answer".into(),
        DialOutcome::Declined { status } => format!("declined {status}"),
        DialOutcome::Failed(why) => format!("failed {why}"),
    };
    println!("{line}");
    if matches!(outcome, DialOutcome::Answered { .. }) {
        let until = std::time::Instant::now() + std::time::Duration::from_secs(600);
        while server.active_calls() > 0 && std::time::Instant::now() < until {
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }
    server.stop().await;
    Ok(ExitCode::SUCCESS)
}

/// Whether the database answers, and how many migrations it lacks. Keys are not needed to
/// ask (nothing is decrypted), so a missing key file does not hide the database's state.
async fn jobs_command(command: JobsCommand, config: &Config) -> Result<ExitCode, String> {
    use careline_store::jobs::{self, JobFilter, JobState};
    let (store, _) = crate::server::open_store(config, false).await?;
    let now = chrono::Utc::now();
    let parse_id = |id: &str| {
        uuid::Uuid::parse_str(id.trim()).map_err(|_| format!("'{id}' is not a job id (a UUID)"))
    };
    let (job, what) = match command {
        JobsCommand::List {
            state,
            kind,
            page,
            per_page,
        } => {
            let state = match state.as_deref() {
                None => None,
                Some(s) => Some(JobState::parse(s).ok_or_else(|| {
                    format!(
                        "--state {s}: must be queued, running, retrying, succeeded, dead or \
                         cancelled"
                    )
                })?),
            };
            let (page, per_page) = careline_store::clamp_page(Some(page), Some(per_page));
            let list = jobs::list(&store, &JobFilter { state, kind }, page, per_page)
                .await
                .map_err(|e| e.to_string())?;
            for j in &list.items {
                println!(
                    "{}  {:<9}  {:<24}  {}/{}  {}  {}",
                    j.id,
                    j.state,
                    j.kind,
                    j.attempts,
                    j.max_attempts,
                    j.run_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                    j.last_error.as_deref().unwrap_or("")
                );
            }
            println!(
                "{} of {} jobs (page {} of {})",
                list.items.len(),
                list.total,
                list.page,
                list.total.div_ceil(list.per_page.max(1)).max(1)
            );
            return Ok(ExitCode::SUCCESS);
        }
        JobsCommand::Retry { id } => (jobs::retry(&store, parse_id(&id)?, now).await, "retried"),
        JobsCommand::Cancel { id } => {
            (jobs::cancel(&store, parse_id(&id)?, now).await, "cancelled")
        }
    };
    let job = job.map_err(|e| e.to_string())?;
    careline_store::audit::append(
        &store,
        &[careline_store::audit::AuditEvent::new(
            careline_domain::audit::AuditType::Administration,
            careline_domain::audit::AuditAction::U,
            format!("background job {what} from the command line ({})", job.kind),
        )
        .entity("job", job.id)],
    )
    .await
    .map_err(|e| e.to_string())?;
    println!("{what} job {} ({}): now {}", job.id, job.kind, job.state);
    Ok(ExitCode::SUCCESS)
}

async fn database_status(config: &Config) -> Result<usize, String> {
    let url = config.database_url();
    if url.starts_with("sqlite:") {
        // `config check` looks; it does not create a database that is not there.
        let path = url
            .trim_start_matches("sqlite://")
            .trim_start_matches("sqlite:");
        let path = path.split('?').next().unwrap_or(path);
        if path != ":memory:" && !Path::new(path).exists() {
            return Err(format!(
                "no database file at {path} (run `careline migrate` to create it)"
            ));
        }
    }
    let keys = std::sync::Arc::new(careline_crypto::KeyRing::generate());
    let store = careline_store::Store::connect(&url, keys)
        .await
        .map_err(|e| crate::server::connect_error(&url, &e))?;
    store
        .ping()
        .await
        .map_err(|e| crate::server::connect_error(&url, &e))?;
    let (_, pending) = store.migration_status().await.map_err(|e| e.to_string())?;
    Ok(pending.len())
}

/// A password from standard input: prompted twice on a terminal, one line otherwise.
fn read_password() -> Result<String, String> {
    use std::io::IsTerminal;
    if std::io::stdin().is_terminal() {
        let a = rpassword::prompt_password("password: ").map_err(|e| e.to_string())?;
        let b = rpassword::prompt_password("again: ").map_err(|e| e.to_string())?;
        if a != b {
            return Err("the two passwords differ".into());
        }
        Ok(a)
    } else {
        let mut line = String::new();
        std::io::stdin()
            .read_line(&mut line)
            .map_err(|e| e.to_string())?;
        let pw = line.trim_end_matches(['\r', '\n']).to_string();
        if pw.is_empty() {
            return Err("no password on standard input".into());
        }
        Ok(pw)
    }
}

fn menu_check(file: &Path, config: Option<&Path>) -> ExitCode {
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) => return fail(format!("cannot read {}: {e}", file.display())),
    };
    match careline_call::menu::check(&text) {
        Ok(checked) => {
            let cfg = checked.config;
            let practice_start = cfg
                .practice_start
                .as_ref()
                .map(|m| format!(", practice lines start '{m}'"))
                .unwrap_or_default();
            println!(
                "{}: ok ({} menus, start '{}'{practice_start}, languages {})",
                file.display(),
                cfg.menus.len(),
                cfg.start,
                cfg.languages.join(", ")
            );
            for w in &checked.warnings {
                if w.line > 0 {
                    println!("warning: {}:{}: {}", file.display(), w.line, w.message);
                } else {
                    println!("warning: {}: {}", file.display(), w.message);
                }
            }
            let recorded = recorded_prompts(config);
            for w in voice_warnings(&cfg, careline_voice::Engine::best().name(), &recorded) {
                println!("warning: {w}");
            }
            ExitCode::SUCCESS
        }
        Err(problems) => {
            for p in &problems {
                if p.line > 0 {
                    println!("{}:{}: {}", file.display(), p.line, p.message);
                } else {
                    println!("{}: {}", file.display(), p.message);
                }
            }
            eprintln!(
                "error: {} has {} problem(s)",
                file.display(),
                problems.len()
            );
            ExitCode::FAILURE
        }
    }
}

/// The practice's recorded prompts as (language, prompt key), from the configured
/// `prompt_recordings` directory: only the file names are read. A configuration that does not
/// load, or has no such directory, means no recordings: `menu check` needs no configuration.
fn recorded_prompts(config: Option<&Path>) -> HashSet<(String, String)> {
    let mut out = HashSet::new();
    let Some(dir) = Config::load(config).ok().and_then(|c| c.prompt_recordings) else {
        return out;
    };
    let Ok(languages) = std::fs::read_dir(&dir) else {
        return out;
    };
    for lang in languages.flatten() {
        let language = lang.file_name().to_string_lossy().into_owned();
        let Ok(files) = std::fs::read_dir(lang.path()) else {
            continue;
        };
        for path in files.flatten().map(|f| f.path()) {
            // As careline-voice loads them: `<key>.wav`, any case of the extension.
            let is_wav = path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("wav"));
            if let (true, Some(key)) = (is_wav, path.file_stem()) {
                out.insert((language.clone(), key.to_string_lossy().into_owned()));
            }
        }
    }
    out
}

/// Something a call says: where it is in the menu file, its text, and the prompt key a
/// recording replaces it by (`None` when it cannot be recorded: a name said inside another
/// sentence, or a prompt with `{values}` a recording would not say).
struct Spoken {
    place: String,
    text: String,
    key: Option<String>,
}

/// Every text a call in `language` says from the menu file: system prompts, each menu's
/// greetings, options, invalid and timeout prompts, labels said back for confirmation, and
/// service type names.
fn spoken_texts(cfg: &careline_call::menu::CallConfig, language: &str) -> Vec<Spoken> {
    let mut out = Vec::new();
    let mut add = |place: String, text: &str, key: Option<String>| {
        let key = key.filter(|_| !text.contains('{'));
        out.push(Spoken {
            place,
            text: text.to_string(),
            key,
        });
    };
    let recording = cfg.practice.recording;
    for (k, text) in cfg.prompts.get(language).into_iter().flatten() {
        // Said only when the practice announces call recording.
        if k == "recording_notice" && !(recording.enabled && recording.announce) {
            continue;
        }
        add(format!("prompts.{language} {k}"), text, Some(k.clone()));
    }
    for menu in cfg.menus.values() {
        let id = &menu.id;
        let p = cfg.menu_prompts(menu, language);
        for (k, text) in [
            ("welcome", &p.welcome),
            ("greeting_short", &p.greeting_short),
            ("invalid", &p.invalid),
            ("timeout", &p.timeout),
        ] {
            if let Some(text) = text {
                add(
                    format!("menus.{id} {k}"),
                    text,
                    Some(format!("menu.{id}.{k}")),
                );
            }
        }
        for (i, text) in p.options.iter().enumerate() {
            add(
                format!("menus.{id} options[{i}]"),
                text,
                Some(format!("menu.{id}.options.{i}")),
            );
        }
        for (digit, option) in &menu.options {
            if let (true, Some(label)) = (option.confirm, &option.label) {
                add(format!("menus.{id} option {digit} label"), label, None);
            }
        }
    }
    for s in &cfg.practice.service_types {
        let name = s
            .name
            .get(language)
            .or_else(|| s.name.get(&cfg.default_language));
        if let Some(name) = name {
            add(format!("service type {} name", s.code), name, None);
        }
    }
    out
}

fn is_english(language: &str) -> bool {
    language == "en" || language.starts_with("en-") || language.starts_with("en_")
}

/// The words the built-in voice would spell letter by letter on a SIP call, one warning per
/// prompt, and one per language other than English (which has no built-in voice). `engine` is
/// the voice this build and machine would use ([`careline_voice::Engine::name`]): flite says any
/// English word, espeak-ng any language. Prompts the practice recorded are skipped.
fn voice_warnings(
    cfg: &careline_call::menu::CallConfig,
    engine: &str,
    recorded: &HashSet<(String, String)>,
) -> Vec<String> {
    let flite_hint = if cfg!(feature = "flite") {
        "install flite where CareLine runs"
    } else {
        "build with --features flite"
    };
    let espeak_hint = if cfg!(feature = "espeak") {
        "install espeak-ng where CareLine runs"
    } else {
        "build with --features espeak"
    };
    let mut out = Vec::new();
    let voice = careline_voice::Voice::with_engine(careline_voice::Engine::Bank);
    for language in &cfg.languages {
        // Prompts the practice recorded are not said by a voice at all.
        let unrecorded: Vec<Spoken> = spoken_texts(cfg, language)
            .into_iter()
            .filter(|s| {
                s.key
                    .as_ref()
                    .is_none_or(|k| !recorded.contains(&(language.clone(), k.clone())))
            })
            .collect();
        if !is_english(language) {
            if engine != "espeak" && !unrecorded.is_empty() {
                out.push(format!(
                    "the built-in voice speaks English only: {} \"{language}\" prompts would be \
                     read by it and words it does not know spelled; record them \
                     (prompt_recordings: {language}/<prompt key>.wav) or {espeak_hint}",
                    unrecorded.len()
                ));
            }
            continue;
        }
        if engine != "bank" {
            // flite and espeak-ng say any English word.
            continue;
        }
        for spoken in unrecorded {
            let mut words: Vec<String> = Vec::new();
            // `{placeholders}` are filled in by the engine, not said by name.
            for part in spoken.text.split(['{', '}']).step_by(2) {
                for w in voice.unknown_words(part) {
                    let w = as_written(part, &w);
                    if !words.contains(&w) {
                        words.push(w);
                    }
                }
            }
            if words.is_empty() {
                continue;
            }
            let (list, it) = match words.as_slice() {
                [one] => (format!("\"{one}\""), "it"),
                many => (
                    many.iter()
                        .map(|w| format!("\"{w}\""))
                        .collect::<Vec<_>>()
                        .join(", "),
                    "them",
                ),
            };
            let fix = match &spoken.key {
                Some(key) => format!("record the prompt (prompt_recordings: {language}/{key}.wav)"),
                None => "reword it".to_string(),
            };
            out.push(format!(
                "the built-in voice does not know {list} ({}) and will spell {it}; {fix} or \
                 {flite_hint}",
                spoken.place
            ));
        }
    }
    out
}

/// `word` (lower case, as the voice looks it up) as `text` writes it: "Zyxwv" for "zyxwv".
fn as_written(text: &str, word: &str) -> String {
    text.split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '-'))
        .flat_map(|w| std::iter::once(w).chain(w.split('-')))
        .map(|w| w.trim_matches('\''))
        .find(|w| w.to_lowercase() == word)
        .unwrap_or(word)
        .to_string()
}

async fn replay(
    calls: &crate::calls::Calls,
    call_id: &str,
    show_keys: bool,
) -> Result<ExitCode, String> {
    use careline_call::engine::{Input, Output};
    let (stored, steps) = calls.replay(call_id).await.map_err(|e| match e {
        crate::calls::CallError::NotFound => format!("no call with id {call_id}"),
        other => other.to_string(),
    })?;
    println!(
        "call {} via {} to {}, {} inputs, status {}",
        stored.call_id,
        stored.transport,
        stored.to_number,
        steps.len(),
        stored.status
    );
    if stored.config_hash != calls.config_hash() {
        println!(
            "note: the menus changed since this call (configuration {} then, {} now); the \
             replay uses today's",
            stored.config_hash,
            calls.config_hash()
        );
    }
    let start = steps.first().map(|(i, _)| i.at).unwrap_or(0);
    let keys = |k: &careline_call::engine::Keys| {
        if show_keys {
            k.as_str().to_string()
        } else {
            "*".repeat(k.as_str().chars().count())
        }
    };
    for (input, outputs) in &steps {
        let t = (input.at - start) as f64 / 1000.0;
        let what = match &input.input {
            Input::Started { from, to, .. } => format!(
                "call from {} to {to}",
                if from.is_some() {
                    "a caller ID"
                } else {
                    "a withheld number"
                }
            ),
            Input::Outbound { purpose, .. } => format!(
                "outbound call answered ({})",
                serde_json::to_value(purpose)
                    .ok()
                    .and_then(|v| v["purpose"].as_str().map(str::to_string))
                    .unwrap_or_default()
            ),
            Input::Keys { keys: k } => format!("keys {}", keys(k)),
            Input::Gathered { keys: k } if k.as_str().is_empty() => "no keys (timeout)".into(),
            Input::Gathered { keys: k } => format!("entry {}", keys(k)),
            Input::Speech { text, .. } => format!("speech ({} characters)", text.as_str().len()),
            Input::PromptFinished => "prompt finished".into(),
            Input::Timeout => "timer".into(),
            Input::Hangup => "hangup".into(),
            Input::Answer { answer } => {
                let json = serde_json::to_value(answer).unwrap_or_default();
                format!(
                    "answer {}",
                    json.get("answer").and_then(|a| a.as_str()).unwrap_or("?")
                )
            }
        };
        println!("{t:>8.3}s  {what}");
        for o in outputs {
            match o {
                Output::Say { text, .. } => println!("            say      {text}"),
                Output::Gather(g) => println!(
                    "            gather   up to {} keys, {} s",
                    g.max_digits,
                    g.first_timeout_ms / 1000
                ),
                Output::Request(r) => {
                    let json = serde_json::to_value(r).unwrap_or_default();
                    println!(
                        "            request  {}",
                        json.get("request").and_then(|a| a.as_str()).unwrap_or("?")
                    )
                }
                Output::Transfer { target, reason } => {
                    println!("            transfer {target:?} ({reason})")
                }
                Output::Hangup => println!("            hangup"),
                Output::Event(e) => println!(
                    "            event    {} {}{}",
                    e.action,
                    e.result,
                    e.error_code
                        .map(|c| format!(" [{}]", c.as_str()))
                        .unwrap_or_default()
                ),
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
