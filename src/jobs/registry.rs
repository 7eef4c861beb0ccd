//! The kinds of job this process can run: each a name, a plain async handler of its payload,
//! a retry policy and a time limit; and the recurring kinds with their cron schedules.

use super::{JobContext, JobError};
use futures_util::future::BoxFuture;
use serde::de::DeserializeOwned;
use std::collections::BTreeMap;
use std::future::Future;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

pub(crate) type Handler =
    Arc<dyn Fn(JobContext) -> BoxFuture<'static, Result<(), JobError>> + Send + Sync>;

/// How long to wait before trying a failed job again: `base · 2^(attempt−1)`, at most `max`,
/// with "equal jitter" (half of it fixed, half random) so jobs that failed together do not
/// come back together, while each delay is still at least the one before.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryPolicy {
    pub base: Duration,
    pub max: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            base: Duration::from_secs(10),
            max: Duration::from_secs(3600),
        }
    }
}

impl RetryPolicy {
    /// The ceiling of the delay after failed attempt `attempt` (from 1), before jitter.
    pub fn ceiling(&self, attempt: i32) -> Duration {
        let doublings = attempt.saturating_sub(1).clamp(0, 30) as u32;
        self.base
            .checked_mul(1u32 << doublings)
            .unwrap_or(self.max)
            .min(self.max)
    }

    /// The delay after failed attempt `attempt`: between half the ceiling and the ceiling.
    pub fn delay(&self, attempt: i32) -> Duration {
        use rand::Rng;
        let ceiling = self.ceiling(attempt);
        let half = ceiling / 2;
        let spread = (ceiling - half).as_millis() as u64;
        half + Duration::from_millis(rand::thread_rng().gen_range(0..=spread))
    }
}

/// A kind of job: its handler and how it is run.
#[derive(Clone)]
pub struct Kind {
    pub name: String,
    pub(crate) handler: Handler,
    pub retry: RetryPolicy,
    /// An attempt that runs longer fails (and is retried).
    pub timeout: Duration,
}

impl std::fmt::Debug for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Kind")
            .field("name", &self.name)
            .field("retry", &self.retry)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// A kind that runs on a cron schedule: one job per scheduled time (see `recurring`).
#[derive(Debug, Clone)]
pub struct Recurring {
    pub kind: String,
    pub expression: String,
    pub schedule: cron::Schedule,
}

/// The kinds this process runs. A worker claims only these, so jobs of a kind it does not
/// know wait for a node that does.
#[derive(Debug, Clone, Default)]
pub struct Registry {
    kinds: BTreeMap<String, Kind>,
    recurring: Vec<Recurring>,
}

/// Default time limit of one attempt.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);

impl Registry {
    pub fn new() -> Registry {
        Registry::default()
    }

    /// Run jobs of `kind` with `handler`, which gets the job's context and its payload
    /// decoded as `P`. A payload that does not decode fails the job permanently.
    pub fn register<P, F, Fut>(&mut self, kind: &str, handler: F) -> &mut Kind
    where
        P: DeserializeOwned + Send + 'static,
        F: Fn(JobContext, P) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), JobError>> + Send + 'static,
    {
        let handler = Arc::new(handler);
        let h: Handler = Arc::new(
            move |ctx: JobContext| -> BoxFuture<'static, Result<(), JobError>> {
                let handler = handler.clone();
                Box::pin(async move {
                    let payload: P =
                        serde_json::from_value(ctx.job.payload.clone()).map_err(|e| {
                            JobError::Permanent(format!(
                                "payload does not fit kind {}: {e}",
                                ctx.job.kind
                            ))
                        })?;
                    handler(ctx, payload).await
                })
            },
        );
        self.kinds.insert(
            kind.to_string(),
            Kind {
                name: kind.to_string(),
                handler: h,
                retry: RetryPolicy::default(),
                timeout: DEFAULT_TIMEOUT,
            },
        );
        self.kinds.get_mut(kind).expect("just inserted")
    }

    /// Run `kind` on the cron `expression` (seconds first: `"0 5 * * * *"` is five past every
    /// hour, UTC) with `handler`. The job's `run_at` is the scheduled time.
    pub fn recurring<F, Fut>(
        &mut self,
        kind: &str,
        expression: &str,
        handler: F,
    ) -> Result<&mut Kind, String>
    where
        F: Fn(JobContext) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), JobError>> + Send + 'static,
    {
        let schedule = cron::Schedule::from_str(expression)
            .map_err(|e| format!("recurring job {kind}: schedule '{expression}': {e}"))?;
        self.recurring.retain(|r| r.kind != kind);
        self.recurring.push(Recurring {
            kind: kind.to_string(),
            expression: expression.to_string(),
            schedule,
        });
        let handler = Arc::new(handler);
        Ok(
            self.register(kind, move |ctx: JobContext, _: serde_json::Value| {
                let handler = handler.clone();
                async move { handler(ctx).await }
            }),
        )
    }

    pub fn kind(&self, name: &str) -> Option<&Kind> {
        self.kinds.get(name)
    }

    /// The names of the kinds, for claiming.
    pub fn names(&self) -> Vec<String> {
        self.kinds.keys().cloned().collect()
    }

    pub fn recurring_kinds(&self) -> &[Recurring] {
        &self.recurring
    }
}

impl Kind {
    pub fn retry(&mut self, policy: RetryPolicy) -> &mut Kind {
        self.retry = policy;
        self
    }

    pub fn timeout(&mut self, t: Duration) -> &mut Kind {
        self.timeout = t;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_and_stay_within_their_ceiling() {
        let p = RetryPolicy {
            base: Duration::from_secs(10),
            max: Duration::from_secs(600),
        };
        assert_eq!(p.ceiling(1), Duration::from_secs(10));
        assert_eq!(p.ceiling(2), Duration::from_secs(20));
        assert_eq!(p.ceiling(4), Duration::from_secs(80));
        assert_eq!(p.ceiling(10), Duration::from_secs(600));
        assert_eq!(p.ceiling(1000), Duration::from_secs(600));
        for attempt in 1..12 {
            for _ in 0..50 {
                let d = p.delay(attempt);
                assert!(
                    d >= p.ceiling(attempt) / 2 && d <= p.ceiling(attempt),
                    "{d:?}"
                );
                // Never shorter than the longest possible delay two attempts before.
                if attempt > 2 {
                    assert!(d >= p.ceiling(attempt - 2).min(p.max / 2));
                }
            }
        }
    }

    #[test]
    fn a_bad_schedule_is_refused_with_its_kind() {
        let mut r = Registry::new();
        let e = r
            .recurring("x.y", "every hour", |_| async { Ok(()) })
            .unwrap_err();
        assert!(e.contains("x.y") && e.contains("every hour"), "{e}");
        assert!(
            r.recurring("x.y", "0 5 * * * *", |_| async { Ok(()) })
                .is_ok()
        );
        assert_eq!(r.names(), vec!["x.y".to_string()]);
    }
}
