//! CareLine: a healthcare IVR platform and the back office behind it, as one program.
//! This crate holds the HTTP API, authentication, configuration and the command line;
//! the domain, crypto and storage layers are the workspace's other crates.

pub mod api;
pub mod auth;
pub mod calls;
pub mod cli;
pub mod config;
pub mod demo;
pub mod escalation;
pub mod events;
pub mod jobs;
pub mod keys;
pub mod metrics;
pub mod notify;
pub mod payer;
pub mod prior_auth_expiry;
pub mod refills;
pub mod reminders;
pub mod server;
pub mod simulator;
pub mod sip;
pub mod state;
pub mod telemetry;
pub mod twilio;
pub mod voice_agent;
pub mod web;
