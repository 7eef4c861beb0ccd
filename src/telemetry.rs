//! Logging: human-readable lines by default, one JSON object per line with `log_format = "json"`.
//! PHI cannot reach these lines: PHI values are `Phi<T>`, whose Debug/Display redact.

use crate::config::Config;
use tracing_subscriber::EnvFilter;

pub fn init(config: &Config) {
    let filter = EnvFilter::try_new(&config.log_level).unwrap_or_else(|_| EnvFilter::new("info"));
    // sqlx logs statements with their bound values at debug level; keep it quiet whatever the
    // filter says, because bound values can be ciphertext or blind indexes.
    let filter = filter.add_directive("sqlx=warn".parse().expect("static directive"));
    // rsipstack logs every SIP message whole at info level (docs/sip-evaluation.md): caller
    // numbers and names, which are PHI here. Its warnings and errors carry no message bodies.
    let filter = filter.add_directive("rsipstack=warn".parse().expect("static directive"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let result = if config.log_format == "json" {
        builder.json().flatten_event(true).try_init()
    } else {
        builder.try_init()
    };
    let _ = result;
}
