//! Scripted plays of the login handshake: the flow files `wxlogin simulate` drives a backend
//! with, and the fixed script of `wxlogin demo`, both rendered as sequence diagrams.

pub mod flow;
pub mod mocklink;
pub mod template;
