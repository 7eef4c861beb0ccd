//! The `careline` command line. Every failure prints one clear line and exits non-zero.

use crate::config::Config;
use clap::{Parser, Subcommand};
use std::path::PathBuf;
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
    let config = match Config::load(cli.config.as_deref()) {
        Ok(c) => c,
        Err(e) => return fail(e),
    };
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
            let (store, _) = open_store(&config, true).await?;
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
                store
                    .migrate()
                    .await
                    .map_err(|e| format!("migration failed: {e}"))?;
                println!("database is up to date ({})", store.engine().name());
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
            let logins = crate::demo::seed(&store).await?;
            crate::demo::print_logins(&logins);
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
            if let Some(m) = manager {
                new.manager_id = Some(
                    careline_store::users::credentials(&store, &m)
                        .await
                        .map_err(|e| e.to_string())?
                        .ok_or_else(|| format!("no user with email {m}"))?
                        .user
                        .id,
                );
            }
            let user = careline_store::users::create(&store, new, None)
                .await
                .map_err(|e| match e {
                    careline_store::StoreError::Invalid(f) => f
                        .into_iter()
                        .map(|(k, v)| format!("{k} {v}"))
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
                    return Ok(ExitCode::from(2));
                }
            }
        }
        Command::Config {
            command: ConfigCommand::Check,
        } => {
            let (ring, source) = crate::keys::load(&config, false)?;
            let origin = match source {
                crate::keys::KeySource::Inline => "inline (CARELINE_KEYS)".to_string(),
                crate::keys::KeySource::File(p)
                | crate::keys::KeySource::GeneratedDevelopment(p) => p.display().to_string(),
            };
            let (store, _) = open_store(&config, false).await?;
            store.ping().await.map_err(|e| format!("database: {e}"))?;
            let (_, pending) = store.migration_status().await.map_err(|e| e.to_string())?;
            println!("configuration: ok");
            println!("  data_dir  {}", config.data_dir.display());
            println!(
                "  database  {} (reachable, {} pending migrations)",
                crate::config::redact_url(&config.database_url()),
                pending.len()
            );
            println!("  bind      {}", config.bind);
            println!(
                "  keys      {origin}; active PHI key {}",
                ring.active_key_id()
            );
            println!("  log       {} at {}", config.log_format, config.log_level);
        }
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
