//! Configuration: defaults, then a TOML file, then `CARELINE_*` environment variables (each
//! key of the file is also a variable: `bind` ↔ `CARELINE_BIND`). Secrets are never printed.

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Where the SQLite database, development keys and other local state live.
    pub data_dir: PathBuf,
    /// `sqlite://…` or `postgres://…`; default: `sqlite://<data_dir>/careline.db`.
    pub database_url: Option<String>,
    /// HTTP listen address.
    pub bind: String,
    /// `text` (default) or `json` log lines.
    pub log_format: String,
    /// tracing filter, e.g. `info` or `careline=debug,info`.
    pub log_level: String,
    /// Key file (JSON); default `<data_dir>/keys.json`.
    pub keys_file: Option<PathBuf>,
    /// The key file's contents inline (e.g. from a secret manager via `CARELINE_KEYS`).
    pub keys: Option<String>,
    /// Lifetime of an access token, seconds.
    pub access_token_ttl_secs: i64,
    /// Lifetime of a login session (refresh token), seconds.
    pub refresh_token_ttl_secs: i64,
    /// Automatic logoff after this many seconds without a request.
    pub idle_timeout_secs: i64,
    /// Failed logins before an account locks.
    pub login_max_failures: i32,
    /// How long a locked account stays locked, seconds.
    pub login_lockout_secs: i64,
    /// Login attempts allowed per client address per minute.
    pub login_rate_per_minute: u32,
    /// Largest JSON body accepted, bytes.
    pub max_body_bytes: usize,
    /// Largest uploaded document, bytes.
    pub max_document_bytes: usize,
    /// Twilio auth token for webhook signatures (used by the phone transport).
    pub twilio_auth_token: Option<String>,
    /// The public base URL Twilio calls (used by the phone transport).
    pub public_url: Option<String>,
    /// The practice's phone menu file (TOML); default: the built-in menu (`default_ivr.toml`).
    pub ivr_file: Option<PathBuf>,
    /// Where "speak with a representative" transfers go (E.164). Without one, callers who
    /// need a person hear the office's number and the call ends.
    pub agent_number: Option<String>,
    /// Failed phone verifications in a row (across calls) that lock a caller's phone access.
    pub phone_lock_after: i32,
    /// How long phone verification stays locked, seconds.
    pub phone_lock_secs: i64,
    /// SIP listen address, UDP and TCP (`off` to disable).
    pub sip_listen: String,
    /// The address callers reach us at, for SDP and Contact; default: the listen address.
    pub sip_public_ip: Option<String>,
    /// UDP ports for RTP, `first-last` (or `0` for any free port).
    pub sip_rtp_ports: String,
    /// Concurrent SIP calls; beyond it, INVITEs get 503 with Retry-After.
    pub sip_max_calls: usize,
    /// Addresses or networks (CIDR) allowed to send calls: the trunk, PBX or proxy.
    pub sip_trusted: Vec<String>,
    /// Hang up when the caller sends no RTP for this long, seconds.
    pub sip_rtp_timeout_secs: u64,
    /// RTP threads; 0 means one per core.
    pub sip_media_threads: usize,
    /// Where transfers to a representative go, as a SIP URI (default: `agent_number` at the
    /// caller's SIP peer).
    pub sip_agent_uri: Option<String>,
    /// Digest authentication for SIP callers outside `sip_trusted`: the user name…
    pub sip_digest_user: Option<String>,
    /// …and its password. Both or neither.
    pub sip_digest_password: Option<String>,
    /// The SIP trunk outbound calls go through, `sip:host[:port]`: a call to a number is an
    /// INVITE to `sip:<number>@<host:port>`. Without it, only calls to full SIP URIs are placed.
    pub sip_trunk_uri: Option<String>,
    /// Digest credentials for the trunk's 401/407 challenges: the user name…
    pub sip_trunk_user: Option<String>,
    /// …and its password. Both or neither.
    pub sip_trunk_password: Option<String>,
    /// How long an outbound call may ring before it is cancelled (no answer), seconds.
    pub sip_ring_timeout_secs: u64,
    /// The practice's recorded prompts: `<dir>/<language>/<prompt key>.wav`, any rate.
    pub prompt_recordings: Option<PathBuf>,
    /// Origins (`https://host[:port]`) whose pages may open a WebSocket besides the server's
    /// own (the request's Host) and `public_url`'s.
    pub ws_allowed_origins: Vec<String>,
    /// The SMTP server notifications are sent through, e.g.
    /// `smtp://user:pass@mail.example:587?tls=required` or `smtps://…` (docs/notifications.md).
    /// Without it, no email is sent.
    pub smtp_url: Option<String>,
    /// The sender of notification email, `Name <address>`.
    pub email_from: Option<String>,
    /// Twilio account for SMS (with `twilio_auth_token`); without it, no SMS is sent.
    pub twilio_account_sid: Option<String>,
    /// Twilio's REST API; a stand-in's address in tests.
    pub twilio_api_url: String,
    /// The account's number SMS come from (E.164).
    pub sms_from: Option<String>,
    /// Run the job worker on this node (docs/jobs.md). Off makes a node that only serves
    /// requests; at least one node must run it.
    pub jobs_worker: bool,
    /// Jobs this node's worker runs at once.
    pub jobs_concurrency: usize,
    /// How long a node's claim on a job lasts unrenewed: after a crash, its jobs go to
    /// another node (or to it, restarted) this long after its last renewal.
    pub jobs_lease_secs: u64,
    /// The voice agent: callers may speak instead of pressing keys (docs/voice-agent.md).
    /// Twilio calls are then answered with a Media Stream (`<Connect><Stream>`) and SIP calls'
    /// audio goes through the recognizer; keys work either way.
    pub speech: bool,
    /// Recognizer threads; 0 means one per core.
    pub speech_threads: usize,
    /// Caller silence that ends an utterance, milliseconds (200–1000).
    pub speech_end_silence_ms: u32,
}

/// Settings whose environment variables are taken as text, never parsed.
const TEXT_KEYS: &[(&str, &str)] = &[
    ("database_url", "CARELINE_DATABASE_URL"),
    ("keys", "CARELINE_KEYS"),
    ("twilio_auth_token", "CARELINE_TWILIO_AUTH_TOKEN"),
    ("public_url", "CARELINE_PUBLIC_URL"),
    ("agent_number", "CARELINE_AGENT_NUMBER"),
    ("sip_listen", "CARELINE_SIP_LISTEN"),
    ("sip_public_ip", "CARELINE_SIP_PUBLIC_IP"),
    ("sip_rtp_ports", "CARELINE_SIP_RTP_PORTS"),
    ("sip_agent_uri", "CARELINE_SIP_AGENT_URI"),
    ("sip_digest_user", "CARELINE_SIP_DIGEST_USER"),
    ("sip_digest_password", "CARELINE_SIP_DIGEST_PASSWORD"),
    ("sip_trunk_uri", "CARELINE_SIP_TRUNK_URI"),
    ("sip_trunk_user", "CARELINE_SIP_TRUNK_USER"),
    ("sip_trunk_password", "CARELINE_SIP_TRUNK_PASSWORD"),
    ("smtp_url", "CARELINE_SMTP_URL"),
    ("email_from", "CARELINE_EMAIL_FROM"),
    ("twilio_account_sid", "CARELINE_TWILIO_ACCOUNT_SID"),
    ("twilio_api_url", "CARELINE_TWILIO_API_URL"),
    ("sms_from", "CARELINE_SMS_FROM"),
];

impl Default for Config {
    fn default() -> Self {
        Config {
            data_dir: PathBuf::from("./careline-data"),
            database_url: None,
            bind: "127.0.0.1:8080".into(),
            log_format: "text".into(),
            log_level: "info".into(),
            keys_file: None,
            keys: None,
            access_token_ttl_secs: 15 * 60,
            refresh_token_ttl_secs: 12 * 3600,
            idle_timeout_secs: 15 * 60,
            login_max_failures: 5,
            login_lockout_secs: 15 * 60,
            login_rate_per_minute: 20,
            max_body_bytes: 1024 * 1024,
            max_document_bytes: 10 * 1024 * 1024,
            twilio_auth_token: None,
            public_url: None,
            ivr_file: None,
            agent_number: None,
            phone_lock_after: 5,
            phone_lock_secs: 30 * 60,
            sip_listen: "127.0.0.1:5060".into(),
            sip_public_ip: None,
            sip_rtp_ports: "10000-20000".into(),
            sip_max_calls: 500,
            sip_trusted: vec!["127.0.0.1".into(), "::1".into()],
            sip_rtp_timeout_secs: 30,
            sip_media_threads: 0,
            sip_agent_uri: None,
            prompt_recordings: None,
            sip_digest_user: None,
            sip_digest_password: None,
            sip_trunk_uri: None,
            sip_trunk_user: None,
            sip_trunk_password: None,
            sip_ring_timeout_secs: 30,
            ws_allowed_origins: Vec::new(),
            smtp_url: None,
            email_from: None,
            twilio_account_sid: None,
            twilio_api_url: "https://api.twilio.com".into(),
            sms_from: None,
            jobs_worker: true,
            jobs_concurrency: 8,
            jobs_lease_secs: 60,
            speech: false,
            speech_threads: 0,
            speech_end_silence_ms: 350,
        }
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("data_dir", &self.data_dir)
            .field("database", &self.database_url.as_deref().map(redact_url))
            .field("bind", &self.bind)
            .field("keys_file", &self.keys_file)
            .field("keys", &self.keys.as_ref().map(|_| "[set]"))
            .field(
                "twilio_auth_token",
                &self.twilio_auth_token.as_ref().map(|_| "[set]"),
            )
            .field("smtp_url", &self.smtp_url.as_deref().map(redact_url))
            .field(
                "sip_digest_password",
                &self.sip_digest_password.as_ref().map(|_| "[set]"),
            )
            .field("sip_trunk_uri", &self.sip_trunk_uri)
            .field("sip_trunk_user", &self.sip_trunk_user)
            .field(
                "sip_trunk_password",
                &self.sip_trunk_password.as_ref().map(|_| "[set]"),
            )
            .field("email_from", &self.email_from)
            .field("sms_from", &self.sms_from)
            .finish_non_exhaustive()
    }
}

/// A database URL with any password replaced, for messages. Also for text that is not a
/// valid URL (a mistyped scheme, none at all): whatever sits between `user:` and `@` goes.
pub fn redact_url(url: &str) -> String {
    let Some(at) = url.rfind('@') else {
        return url.to_string();
    };
    let start = url.find("://").filter(|s| *s < at).map_or(0, |s| s + 3);
    match url[start..at].split_once(':') {
        Some((user, _)) => format!("{}{user}:***@{}", &url[..start], &url[at + 1..]),
        None => url.to_string(),
    }
}

/// One configuration error in words a user can act on: the key as they wrote it (in the
/// file) or the variable they set, never Figment's internal `default.key` path.
fn describe(e: &figment::Error, file_label: &str) -> String {
    use figment::error::Kind;
    let from_env = e
        .metadata
        .as_ref()
        .is_some_and(|m| m.name.contains("environment"));
    let from_file = e
        .metadata
        .as_ref()
        .is_some_and(|m| matches!(m.source, Some(figment::Source::File(_))));
    let name = |key: &str| {
        if from_env {
            format!("CARELINE_{}", key.to_uppercase())
        } else {
            key.to_string()
        }
    };
    let place = if from_env {
        " (environment)".to_string()
    } else if from_file {
        format!(" in {file_label}")
    } else {
        String::new()
    };
    let path = e.path.join(".");
    match &e.kind {
        Kind::UnknownField(field, expected) => {
            // Figment's path already ends with the field; older versions left it out.
            let key = if e.path.last() == Some(field) {
                path.clone()
            } else if path.is_empty() {
                field.clone()
            } else {
                format!("{path}.{field}")
            };
            let hint = expected
                .iter()
                .filter(|k| edit_distance(field, k) <= 2)
                .min_by_key(|k| edit_distance(field, k))
                .map(|k| format!(" (did you mean {}?)", name(k)))
                .unwrap_or_default();
            let what = if from_env { "setting" } else { "key" };
            format!("unknown {what} {}{place}{hint}", name(&key))
        }
        kind if path.is_empty() => format!("{kind}{place}"),
        kind => format!("{}{place}: {kind}", name(&path)),
    }
}

/// Levenshtein distance, for "did you mean" on a mistyped key.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// The file's TOML syntax, checked before Figment reads it: Figment passes on the parser's
/// report, which draws the line over several lines; a user gets one.
fn check_toml_syntax(path: &Path, label: &str) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {label}: {e}"))?;
    match text.parse::<toml::Table>() {
        Ok(_) => Ok(()),
        Err(e) => {
            let line = e
                .span()
                .map(|r| text[..r.start.min(text.len())].matches('\n').count() + 1);
            let message = e
                .message()
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect::<Vec<_>>()
                .join("; ");
            Err(match line {
                Some(l) => format!("{label} line {l}: {message}"),
                None => format!("{label}: {message}"),
            })
        }
    }
}

impl Config {
    /// Load from defaults, the file (if given, or `./careline.toml` if present) and the
    /// environment.
    pub fn load(file: Option<&Path>) -> Result<Config, String> {
        let mut fig = Figment::from(Serialized::defaults(Config::default()));
        let file_label = file
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| "careline.toml".into());
        match file {
            Some(p) => {
                if !p.exists() {
                    return Err(format!("config file {} does not exist", p.display()));
                }
                check_toml_syntax(p, &file_label)
                    .map_err(|e| format!("configuration error: {e}"))?;
                fig = fig.merge(Toml::file(p));
            }
            None => {
                if Path::new("careline.toml").exists() {
                    check_toml_syntax(Path::new("careline.toml"), &file_label)
                        .map_err(|e| format!("configuration error: {e}"))?;
                    fig = fig.merge(Toml::file("careline.toml"));
                }
            }
        }
        // Variables with the prefix that are not settings of this struct: the config file's
        // path, the test suite's (its database and every `CARELINE_REQUIRE_*` switch that
        // turns a skipped test into a failure), and the metrics token (read by
        // `metrics::global`).
        let mut ignored = vec!["CONFIG", "TEST_DATABASE_URL", "METRICS_TOKEN"];
        ignored.extend(TEXT_KEYS.iter().map(|(_, var)| &var["CARELINE_".len()..]));
        fig = fig.merge(
            Env::prefixed("CARELINE_")
                .ignore(&ignored)
                .filter(|key| !key.as_str().to_ascii_lowercase().starts_with("require_")),
        );
        // Environment values are otherwise read as TOML values: +15025550123 became a number
        // and stopped start-up. These settings are always text, taken as written.
        for (key, var) in TEXT_KEYS {
            if let Some(v) = Env::var(var) {
                fig = fig.merge(Serialized::default(key, v));
            }
        }
        let cfg: Config = fig
            .extract()
            .map_err(|e| format!("configuration error: {}", describe(&e, &file_label)))?;
        // A practice's menu file sits beside its configuration: `ivr.toml` in the config
        // file's directory (or the working directory) is used when `ivr_file` is not set.
        let mut cfg = cfg;
        if cfg.ivr_file.is_none() {
            let dir = match file {
                Some(p) => p.parent().map(Path::to_path_buf).unwrap_or_default(),
                None => PathBuf::from("."),
            };
            let candidate = dir.join("ivr.toml");
            if candidate.is_file() {
                cfg.ivr_file = Some(candidate);
            }
        }
        cfg.check()?;
        Ok(cfg)
    }

    /// Values that parse but make no sense.
    pub fn check(&self) -> Result<(), String> {
        if self.bind.parse::<std::net::SocketAddr>().is_err() {
            return Err(format!(
                "bind: '{}' is not an address like 127.0.0.1:8080",
                self.bind
            ));
        }
        if !matches!(self.log_format.as_str(), "text" | "json") {
            return Err(format!(
                "log_format: must be text or json, not '{}'",
                self.log_format
            ));
        }
        if self.access_token_ttl_secs < 30 || self.access_token_ttl_secs > 3600 {
            return Err("access_token_ttl_secs: must be between 30 and 3600".into());
        }
        if self.idle_timeout_secs < 60 {
            return Err("idle_timeout_secs: must be at least 60".into());
        }
        if self.refresh_token_ttl_secs < self.access_token_ttl_secs {
            return Err("refresh_token_ttl_secs: must be at least access_token_ttl_secs".into());
        }
        if self.login_max_failures < 1 {
            return Err("login_max_failures: must be at least 1".into());
        }
        if let Some(url) = &self.database_url
            && careline_store::Engine::of_url(url).is_err()
        {
            // Quote all of what was given (the password hidden): the store's own message
            // shows only the part before the first ':', which is nothing for '::::'.
            return Err(format!(
                "database_url: must start with sqlite: or postgres:// (got '{}')",
                redact_url(url)
            ));
        }
        if let Some(u) = &self.public_url
            && !(u.starts_with("https://") || u.starts_with("http://"))
        {
            return Err("public_url: must start with https:// (or http:// for testing)".into());
        }
        if let Some(n) = &self.agent_number {
            careline_domain::PhoneNumber::parse(n).map_err(|e| format!("agent_number: {e}"))?;
        }
        if self.phone_lock_after < 1 {
            return Err("phone_lock_after: must be at least 1".into());
        }
        if self.phone_lock_secs < 1 {
            return Err("phone_lock_secs: must be at least 1".into());
        }
        if !(200..=1000).contains(&self.speech_end_silence_ms) {
            return Err("speech_end_silence_ms: must be between 200 and 1000".into());
        }
        if self.speech && self.twilio_auth_token.is_some() && self.public_url.is_none() {
            return Err("speech: Twilio Media Streams need public_url".into());
        }
        self.call_config()?;
        self.check_notifications()?;
        self.check_trunk()?;
        Ok(())
    }

    /// The outbound SIP trunk's settings (used by `sip::outbound`).
    fn check_trunk(&self) -> Result<(), String> {
        if let Some(uri) = &self.sip_trunk_uri {
            trunk_host(uri).map_err(|e| format!("sip_trunk_uri: {e}"))?;
        }
        match (&self.sip_trunk_user, &self.sip_trunk_password) {
            (Some(u), Some(p)) if !u.is_empty() && !p.is_empty() => {
                if self.sip_trunk_uri.is_none() {
                    return Err(
                        "sip_trunk_user: set sip_trunk_uri as well (the trunk it logs in to)"
                            .into(),
                    );
                }
            }
            (Some(_), Some(_)) => {
                return Err("sip_trunk_user and sip_trunk_password: must not be empty".into());
            }
            (None, None) => {}
            _ => return Err("sip_trunk_user and sip_trunk_password: set both or neither".into()),
        }
        if !(5..=3600).contains(&self.jobs_lease_secs) {
            return Err("jobs_lease_secs: must be between 5 and 3600".into());
        }
        if !(1..=600).contains(&self.sip_ring_timeout_secs) {
            return Err("sip_ring_timeout_secs: must be between 1 and 600".into());
        }
        Ok(())
    }

    /// The notification senders' settings (built by `notify::email_sender`/`sms_sender`;
    /// checked here, so a wrong one stops start-up rather than the first send).
    fn check_notifications(&self) -> Result<(), String> {
        if let Some(url) = &self.smtp_url {
            let Some(from) = &self.email_from else {
                return Err(
                    "email_from: required with smtp_url (the sender of notifications)".into(),
                );
            };
            from.parse::<lettre::message::Mailbox>().map_err(|e| {
                format!("email_from: not an address like 'Name <a@b.example>' ({e})")
            })?;
            lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::from_url(url).map_err(|e| {
                format!(
                    "smtp_url: {e} (e.g. smtp://mail.example:587?tls=required, \
                     smtps://user:pass@mail.example)"
                )
            })?;
        }
        if let Some(sid) = &self.twilio_account_sid {
            let (Some(_), Some(from)) = (&self.twilio_auth_token, &self.sms_from) else {
                return Err(
                    "twilio_account_sid: needs twilio_auth_token and sms_from as well".into(),
                );
            };
            if !(sid.starts_with("AC") && sid.len() == 34) {
                return Err(
                    "twilio_account_sid: must be the account's AC… sid (34 characters)".into(),
                );
            }
            careline_domain::PhoneNumber::parse(from).map_err(|e| format!("sms_from: {e}"))?;
            if !(self.twilio_api_url.starts_with("https://")
                || self.twilio_api_url.starts_with("http://"))
            {
                return Err("twilio_api_url: must start with https://".into());
            }
        }
        Ok(())
    }

    /// The phone menus and practice rules: the file named by `ivr_file`, or the built-in one.
    pub fn call_config(&self) -> Result<careline_call::menu::CallConfig, String> {
        let Some(f) = &self.ivr_file else {
            return Ok(careline_call::menu::CallConfig::default_config());
        };
        let text = std::fs::read_to_string(f)
            .map_err(|e| format!("ivr_file: cannot read {}: {e}", f.display()))?;
        careline_call::menu::parse(&text).map_err(|problems| {
            format!(
                "ivr_file: {} has {} problem(s), first: {} (run `careline menu check {}`)",
                f.display(),
                problems.len(),
                problems[0],
                f.display()
            )
        })
    }

    pub fn database_url(&self) -> String {
        self.database_url
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}", self.data_dir.join("careline.db").display()))
    }

    pub fn keys_path(&self) -> PathBuf {
        self.keys_file
            .clone()
            .unwrap_or_else(|| self.data_dir.join("keys.json"))
    }
}

/// The `host[:port]` of a trunk URI such as `sip:trunk.example.net:5060;transport=udp`, the
/// part a called number is put in front of. A user part (`sip:user@host`) is refused: the
/// number takes its place.
pub fn trunk_host(uri: &str) -> Result<String, String> {
    let rest = uri
        .trim()
        .strip_prefix("sip:")
        .ok_or_else(|| format!("'{uri}' must start with sip: (e.g. sip:trunk.example.net:5060)"))?;
    if rest.contains('@') {
        return Err(format!(
            "'{uri}' names a user; give the trunk's host (and port) only, the called number goes before it"
        ));
    }
    let host = rest.split([';', '?']).next().unwrap_or("");
    let (name, port) = match host.rsplit_once(':') {
        // An IPv6 literal without a port ends in ']'.
        Some((n, p)) if !p.contains(']') => (n, Some(p)),
        _ => (host, None),
    };
    if let Some(p) = port
        && !p.parse::<u16>().is_ok_and(|p| p != 0)
    {
        return Err(format!("'{uri}': '{p}' is not a port"));
    }
    let valid_name = !name.is_empty()
        && (name.starts_with('[') && name.ends_with(']')
            || name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-'));
    if !valid_name {
        return Err(format!("'{uri}' has no host name or address"));
    }
    Ok(host.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trunk_settings_are_checked_and_the_password_is_hidden() {
        assert_eq!(
            trunk_host("sip:trunk.example.net:5060").unwrap(),
            "trunk.example.net:5060"
        );
        assert_eq!(
            trunk_host("sip:10.0.0.5;transport=udp").unwrap(),
            "10.0.0.5"
        );
        assert_eq!(trunk_host("sip:[::1]:5070").unwrap(), "[::1]:5070");
        assert_eq!(trunk_host("sip:[::1]").unwrap(), "[::1]");
        for bad in [
            "trunk.example.net",
            "sip:",
            "sip:alice@trunk",
            "sip:trunk:0",
            "sip:trunk:x",
            "sip:a b",
        ] {
            assert!(trunk_host(bad).is_err(), "{bad}");
        }
        let mut c = Config {
            sip_trunk_uri: Some("trunk.example.net".into()),
            ..Config::default()
        };
        assert!(c.check().unwrap_err().starts_with("sip_trunk_uri:"));
        c.sip_trunk_uri = Some("sip:trunk.example.net:5060".into());
        c.sip_trunk_user = Some("careline".into());
        assert!(
            c.check()
                .unwrap_err()
                .starts_with("sip_trunk_user and sip_trunk_password:")
        );
        c.sip_trunk_password = Some("trunk-pw-789".into());
        c.check().unwrap();
        assert!(!format!("{c:?}").contains("trunk-pw-789"));
        c.sip_ring_timeout_secs = 0;
        assert!(c.check().unwrap_err().starts_with("sip_ring_timeout_secs:"));
    }

    #[test]
    fn passwords_are_redacted_from_urls() {
        assert_eq!(
            redact_url("postgres://app:s3cret@db:5432/careline"),
            "postgres://app:***@db:5432/careline"
        );
        assert_eq!(redact_url("sqlite://x.db"), "sqlite://x.db");
        // Not a URL we accept, but quoted back in the error: the password still goes.
        assert_eq!(
            redact_url("app:s3cret@db:5432/careline"),
            "app:***@db:5432/careline"
        );
        assert_eq!(redact_url("::::"), "::::");
    }

    #[test]
    fn defaults_are_valid_and_debug_hides_secrets() {
        let mut c = Config::default();
        c.check().unwrap();
        c.twilio_auth_token = Some("tok-123".into());
        c.keys = Some("{\"secret\":1}".into());
        c.smtp_url = Some("smtp://mailer:pw-456@mail.example:587?tls=required".into());
        let d = format!("{c:?}");
        assert!(!d.contains("tok-123") && !d.contains("secret") && !d.contains("pw-456"));
    }

    #[test]
    fn notification_senders_need_their_companion_settings() {
        let mut c = Config {
            smtp_url: Some("smtp://127.0.0.1:2525".into()),
            ..Config::default()
        };
        assert!(c.check().unwrap_err().starts_with("email_from:"));
        c.email_from = Some("Capitol Eye Care <no-reply@capitoleye.test>".into());
        c.check().unwrap();
        c.twilio_account_sid = Some("AC00000000000000000000000000000001".into());
        assert!(c.check().unwrap_err().starts_with("twilio_account_sid:"));
        c.twilio_auth_token = Some("tok".into());
        c.sms_from = Some("+15125550100".into());
        c.check().unwrap();
        c.sms_from = Some("12".into());
        assert!(c.check().unwrap_err().starts_with("sms_from:"));
    }

    #[test]
    fn bad_values_get_one_clear_line() {
        let c = Config {
            bind: "nowhere".into(),
            ..Config::default()
        };
        assert!(c.check().unwrap_err().starts_with("bind:"));
    }
}
