//! The one module that knows the WeChat login protocol. It never prints and never exits:
//! every operation returns a value or a typed [`Error`] for the caller to render.

pub mod api;
pub mod batch;
pub mod capped;
pub mod clock;
pub mod crypto;
pub mod errcode;
pub mod error;
pub mod input;
pub mod jslit;
pub mod model;
pub mod platform;
pub mod redact;
pub mod secret;
pub mod text;
pub mod userdata;
pub mod variants;

pub use error::{ApiNote, Error, Result, exit};
pub use secret::Secret;
