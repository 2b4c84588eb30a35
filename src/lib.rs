//! wxlogin: debug the WeChat Mini Program login handshake from a terminal.
//!
//! [`core`] knows the protocol and is usable as a library; the rest is the command-line tool.

pub mod app;
pub mod cli;
pub mod commands;
pub mod config;
pub mod core;
pub mod mock;
pub mod output;
pub mod scenario;
pub mod sessions;
